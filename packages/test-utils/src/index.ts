export type {
  AdapterContractContext,
  AdapterContractFixtures,
  AdapterContractNeighbours,
  AdapterContractOptions,
  ContractAdapter,
  ContractProviderFacts,
  ContractRefreshedTokens,
  ContractScanContext,
  ContractScanResult,
  ContractStoreFile,
  WriteBackFixture,
} from './contract/index.ts';
export { runAdapterContract } from './contract/index.ts';
export * from './fake-oauth/index.ts';
export * from './fake-providers/index.ts';
export * as fixtures from './fixtures.ts';
export { type FullHomeExpectation, writeFullHome } from './full-home.ts';
export { fakeJwt } from './jwt.ts';
export { SPEC_CONFIG_BLOCK } from './spec-config.ts';
export { createTempHome, type TempHome } from './temp-home.ts';

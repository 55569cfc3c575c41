export { createTempHome, type TempHome } from './temp-home.ts';
export { fakeJwt } from './jwt.ts';
export * as fixtures from './fixtures.ts';
export { writeFullHome, type FullHomeExpectation } from './full-home.ts';

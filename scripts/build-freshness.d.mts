/** The SHA-256 of the sources, configs and lockfile the ctd bundle is built from. */
export function ctdInputsHash(root: string): string;
/** The path of the bundled CLI (apps/ctd/dist/cli.js). */
export function ctdBundle(root: string): string;
/** Where the build records the hash of its inputs (apps/ctd/dist/build-inputs.sha256). */
export function ctdInputsStamp(root: string): string;
/** Whether the bundled CLI exists and was built from the current inputs. */
export function ctdBundleIsFresh(root: string): boolean;

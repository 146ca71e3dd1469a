// Types of start-electron.mjs for the tests (test/scripts/start.test.ts).
export declare const ELECTRON_TOOLS_NODE: [number, number];
export declare const FETCH_RETRY_MS: number;
export declare const FETCHING_LINE: string;
export declare function nodeTooOldForElectron(version?: string): boolean;
export declare function electronBinary(o: {
  dir: string;
  fetchFailed: string;
  nodeVersion?: string;
  now?: number;
  write?: (line: string) => void;
  install?: (dir: string) => { status: number | null; stderr?: string | null };
}): { binary: string; reason?: undefined } | { binary?: undefined; reason: string };

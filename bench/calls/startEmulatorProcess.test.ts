import { describe, expect, it } from 'vitest';
import { parseReadyLine } from './startEmulatorProcess.js';

describe('parseReadyLine', () => {
  it('finds the API base URL and the PBX port in the ready line of omnisip start', () => {
    const line = 'omnisip ready: API http://127.0.0.1:40123/public  control http://127.0.0.1:40123/_emulator  docs http://127.0.0.1:40123/docs  PBX sip:127.0.0.1:35061 (UDP+TCP)  (clock real, seed 7)';
    expect(parseReadyLine(line)).toEqual({ apiUrl: 'http://127.0.0.1:40123', sipPort: 35061 });
  });

  it('ignores other lines, and a ready line without a PBX (--no-sip)', () => {
    expect(parseReadyLine('built-in PBX listening on 127.0.0.1:5060')).toBeUndefined();
    expect(parseReadyLine('omnisip ready: API http://127.0.0.1:4010/public  control http://127.0.0.1:4010/_emulator  docs http://127.0.0.1:4010/docs  (clock real, seed 7)')).toBeUndefined();
  });
});

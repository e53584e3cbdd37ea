import { describe, expect, it } from 'vitest';
import { softwareNameCandidates } from '../../src/analysis/attribution/from-incident.js';

describe('softwareNameCandidates', () => {
  it('reads Defender malware names and tool executables as ATT&CK software names', () => {
    expect(softwareNameCandidates('HackTool:Win64/Mimikatz.A!dha')).toEqual(['Mimikatz']);
    expect(softwareNameCandidates('Backdoor:Win64/CobaltStrike.NP!dha')).toEqual(['CobaltStrike', 'Cobalt Strike']);
    expect(softwareNameCandidates('PsExec64.exe')).toEqual(['PsExec64', 'PsExec', 'Ps Exec64']);
    expect(softwareNameCandidates('rclone.exe')).toEqual(['rclone']);
    expect(softwareNameCandidates('a.exe')).toEqual([]);
  });
});

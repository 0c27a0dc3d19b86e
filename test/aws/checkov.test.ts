import type { Template } from 'aws-cdk-lib/assertions';
import { templateFor } from './helpers';

/** Logical id -> ids of the checkov checks skipped in that resource's metadata. */
function checkovSkips(template: Template): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [logicalId, resource] of Object.entries(template.toJSON().Resources as Record<string, any>)) {
    const skips = resource.Metadata?.checkov?.skip as { id: string; comment: string }[] | undefined;
    if (!skips) continue;
    for (const skip of skips) expect(skip.comment.length).toBeGreaterThan(20); // every skip carries its reason
    out[logicalId] = skips.map((s) => s.id);
  }
  return out;
}

describe('checkov skips (resource metadata)', () => {
  test('with access logs on, only the log bucket skips CKV_AWS_18', () => {
    const skips = checkovSkips(templateFor({ region: 'eu-west-1', accessLogs: true, identity: { mode: 'role', trustedPrincipals: ['arn:aws:iam::123456789012:root'] } }));
    expect(Object.values(skips)).toEqual([['CKV_AWS_18']]);
    expect(Object.keys(skips)[0]).toMatch(/AccessLogs/);
  });

  test('with access logs off, the data bucket skips CKV_AWS_18 and there is no log bucket', () => {
    const skips = checkovSkips(templateFor({ region: 'eu-west-1', accessLogs: false, identity: { mode: 'role', trustedPrincipals: ['arn:aws:iam::123456789012:root'] } }));
    expect(Object.entries(skips)).toEqual([[expect.stringMatching(/XcomsBucket/), ['CKV_AWS_18']]]);
  });

  test('in user mode the connection secret skips CKV_AWS_149, and nothing else is skipped', () => {
    const skips = checkovSkips(templateFor({ region: 'eu-west-1', accessLogs: false, identity: { mode: 'user' } }));
    expect(Object.values(skips).flat().sort()).toEqual(['CKV_AWS_149', 'CKV_AWS_18']);
    expect(Object.entries(skips).find(([, ids]) => ids.includes('CKV_AWS_149'))?.[0]).toMatch(/Connection/);
  });
});

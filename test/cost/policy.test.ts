import { parseConfig } from '../../lib/config';
import { storagePolicies } from '../../lib/cost/policy';

const WI_GCP = { project: 'my-airflow-project', location: 'EU', identity: { mode: 'workload-identity', kubernetes: [{ namespace: 'airflow', serviceAccount: 'worker' }] } };
const WI_AZURE = {
  location: 'westeurope',
  resourceGroup: { name: 'rg' },
  storageAccountName: 'airflowxcoms0',
  replication: 'GZRS',
  softDeleteDays: 14,
  identity: { mode: 'workload-identity', aks: { oidcIssuerUrl: 'https://oidc.example.com/x/', serviceAccounts: [{ namespace: 'airflow', serviceAccount: 'worker' }] } },
};
const env = (over: Record<string, unknown>) => parseConfig({ environments: { e: over } }).environments.e;

describe('storagePolicies', () => {
  test('reads retention, region, class and soft delete of every cloud the environment has, as the stacks set them', () => {
    const [aws, gcp, azure] = storagePolicies(
      env({ retention: { currentDays: 14, noncurrentDays: 3, noncurrentNewerVersions: 2 }, aws: { region: 'us-east-1' }, gcp: { ...WI_GCP, softDeleteDays: 7 }, azure: WI_AZURE }),
    );
    expect(aws).toMatchObject({ cloud: 'aws', region: 'us-east-1', storageClass: 'STANDARD', currentDays: 14, noncurrentDays: 3, newerVersions: 2, deleteMarkers: true, softDeleteDays: 0, incompleteUploadDaysWithRules: 1 });
    expect(aws.incompleteUploadDaysWithoutRules).toBe(Infinity);
    expect(gcp).toMatchObject({ cloud: 'gcp', region: 'EU', storageClass: 'STANDARD', newerVersions: 2, newerVersionCount: 'including-live', deleteMarkers: false, softDeleteDays: 7 });
    // The Azure management policy has no newer-versions condition, and counts versions from creation.
    expect(azure).toMatchObject({ cloud: 'azure', region: 'westeurope', storageClass: 'HOT_GZRS', newerVersions: undefined, noncurrentClock: 'since-creation', softDeleteDays: 14, containerSoftDeleteDays: 14, incompleteUploadDaysWithoutRules: 7 });
  });

  test('skips clouds the environment does not deploy to, and those not asked for', () => {
    expect(storagePolicies(env({ aws: { region: 'eu-west-1' } })).map((p) => p.cloud)).toEqual(['aws']);
    expect(storagePolicies(env({ aws: { region: 'eu-west-1' }, gcp: WI_GCP }), ['gcp']).map((p) => p.cloud)).toEqual(['gcp']);
  });

  test('uses the schema defaults: 30 days current, 7 noncurrent, GCS soft delete off', () => {
    const [gcp] = storagePolicies(env({ gcp: WI_GCP }));
    expect(gcp).toMatchObject({ currentDays: 30, noncurrentDays: 7, softDeleteDays: 0 });
  });
});

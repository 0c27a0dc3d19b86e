import { validateBinding } from '../../lib/airflow/validate';
import { load, modified } from './bindings';

const MODES = ['aws-user', 'aws-role', 'gcp-workload-identity', 'gcp-key', 'azure-workload-identity', 'azure-key'];

describe('validateBinding', () => {
  test.each(MODES)('accepts the %s fixture', (mode) => {
    expect(validateBinding(load(mode))).toEqual(load(mode));
  });

  describe('compression', () => {
    test.each([
      ['gz', 'gzip'],
      ['snappy', 'zstd'],
      ['GZ', 'gzip'],
    ])('refuses "%s" and suggests "%s"', (bad, good) => {
      const b = modified('aws-user', (x) => (x.xcom.compression = bad));
      expect(() => validateBinding(b)).toThrow(new RegExp(`xcom\\.compression: "${bad}" is not valid: fsspec has no codec named "${bad}"; use "${good}"`));
    });

    test('refuses an unknown name, listing the allowed ones', () => {
      const b = modified('aws-user', (x) => (x.xcom.compression = 'brotli'));
      expect(() => validateBinding(b)).toThrow(/Allowed: zip, bz2, gzip, lzma, xz, lz4, zstd, or null/);
    });

    test.each(['zip', 'bz2', 'gzip', 'lzma', 'xz', 'lz4', 'zstd', null])('accepts %s', (c) => {
      expect(validateBinding(modified('aws-user', (x) => (x.xcom.compression = c))).xcom.compression).toBe(c);
    });
  });

  describe('threshold', () => {
    test.each([-2, 1.5, '1024', null])('refuses %p', (t) => {
      expect(() => validateBinding(modified('aws-user', (x) => (x.xcom.threshold = t)))).toThrow(/xcom\.threshold: .* is not valid: must be a whole number of bytes, at least -1/);
    });
    test.each([-1, 0, 1, 10_000_000])('accepts %p', (t) => {
      expect(validateBinding(modified('aws-user', (x) => (x.xcom.threshold = t))).xcom.threshold).toBe(t);
    });
  });

  describe('path scheme', () => {
    test.each(['az', 'wasb', 'wasbs'])('refuses %s:// for Azure and names abfs', (scheme) => {
      const b = modified('azure-key', (x) => (x.xcom.path = `${scheme}://azure_xcoms@xcoms/xcom`));
      expect(() => validateBinding(b)).toThrow(new RegExp(`"${scheme}://" is not registered.*only abfs, abfss, adl`));
    });

    test('refuses gs:// for AWS', () => {
      const b = modified('aws-user', (x) => (x.xcom.path = x.xcom.path.replace('s3://', 'gs://')));
      expect(() => validateBinding(b)).toThrow(/must use "s3:\/\/" for cloud aws/);
    });

    test('refuses a path without a connection id', () => {
      const b = modified('gcp-key', (x) => (x.xcom.path = 'gs://my-airflow-project-xcoms-dev/xcom'));
      expect(() => validateBinding(b)).toThrow(/is not of the form gs:\/\/<conn_id>@<bucket>\/<prefix>/);
    });

    test('refuses a path naming another connection, bucket or prefix', () => {
      const b = modified('aws-user', (x) => (x.xcom.path = 's3://other@another-bucket/other'));
      expect(() => validateBinding(b)).toThrow(/names connection "other"[\s\S]*names bucket "another-bucket"[\s\S]*has prefix "other"/);
    });
  });

  describe('connection id', () => {
    test.each(['aws-xcoms', '1aws', 'aws xcoms', ''])('refuses %p', (id) => {
      const b = modified('aws-user', (x) => (x.connection.id = id));
      expect(() => validateBinding(b)).toThrow(/connection.id/);
    });
  });

  describe('connection extra names', () => {
    test('accepts Airflow\'s dotted extras such as gcs.endpoint', () => {
      const b = modified('gcp-workload-identity', (x) => (x.connection.extra['gcs.endpoint'] = 'http://127.0.0.1:4443'));
      expect(validateBinding(b).connection.extra['gcs.endpoint']).toBe('http://127.0.0.1:4443');
    });
    test.each(['bad key', '.x', 'x.', 'a..b', 'a\nb'])('refuses %p, naming the key and the rule', (key) => {
      const b = modified('gcp-workload-identity', (x) => (x.connection.extra[key] = 'v'));
      let message = '';
      try {
        validateBinding(b);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain(`connection.extra: the key ${JSON.stringify(key)} is not valid: `);
      expect(message).toContain('connection extra names hold only letters');
    });
  });

  test('refuses a connection type of another cloud', () => {
    expect(() => validateBinding(modified('gcp-key', (x) => (x.connection.type = 'aws')))).toThrow(/connection.type "aws" does not match cloud gcp/);
  });

  test('refuses an identity mode of another cloud', () => {
    expect(() => validateBinding(modified('aws-user', (x) => (x.identity.mode = 'key')))).toThrow(/identity.mode "key" is not a aws mode/);
  });

  test('refuses a user/key binding without a secret location', () => {
    expect(() => validateBinding(modified('azure-key', (x) => delete x.identity.secret))).toThrow(/identity.secret is missing/);
  });

  test('refuses a secret store of another cloud', () => {
    expect(() => validateBinding(modified('gcp-key', (x) => (x.identity.secret.store = 'azure-key-vault')))).toThrow(/does not match cloud gcp/);
  });

  test('refuses an unknown schema version and unknown fields', () => {
    expect(() => validateBinding(modified('aws-role', (x) => (x.schemaVersion = 2)))).toThrow(/schemaVersion: 2 is not valid/);
    expect(() => validateBinding(modified('aws-role', (x) => (x.extraField = 1)))).toThrow(/extraField/);
  });

  test('refuses a non-object', () => {
    expect(() => validateBinding('x')).toThrow(/expected a JSON object/);
  });

  describe('placeholders', () => {
    test('accepts a placeholder where a deploy-time value goes', () => {
      const b = modified('aws-role', (x) => {
        x.storage.bucket = '<deploy-time:XcomBucket1234>';
        x.xcom.path = 's3://aws_xcoms@<deploy-time:XcomBucket1234>/xcom';
        x.identity.roleArn = '<deploy-time:XcomRole99.Arn>';
      });
      expect(validateBinding(b).storage.bucket).toBe('<deploy-time:XcomBucket1234>');
    });

    test('refuses a placeholder in a value known at synth time', () => {
      const b = modified('aws-role', (x) => (x.storage.prefix = '<deploy-time:Prefix>'));
      expect(() => validateBinding(b)).toThrow(/storage.prefix .* must be known at synth time/);
    });
  });

  test('reports every problem at once', () => {
    const b = modified('aws-user', (x) => {
      x.xcom.compression = 'gz';
      x.xcom.threshold = -5;
    });
    expect(() => validateBinding(b)).toThrow(/compression[\s\S]*threshold/);
  });
});

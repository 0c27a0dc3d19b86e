// Shared jest setup: CDKTF matchers (toHaveResourceWithProperties, ...).
import { Testing } from 'cdktf';

Testing.setupJest();

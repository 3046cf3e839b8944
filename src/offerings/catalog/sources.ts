import type { OfferingDefinitionInput } from '../definition';
import { accountingOfferings } from './accounting';
import { apiKeyOfferings } from './api-keys';
import { atlassianOfferings } from './atlassian';
import { commerceOfferings } from './commerce';
import { crmOfferings } from './crm';
import { developerOfferings } from './developer';
import { documentOfferings } from './documents';
import { edgelinkOffering } from './edgelink';
import { googleOfferings } from './google';
import { identityOfferings } from './identity';
import { messagingOfferings } from './messaging';
import { microsoftOfferings } from './microsoft';
import { productivityOfferings } from './productivity';
import { salesforceOfferings } from './salesforce';
import { slackOfferings } from './slack';
import { supportOfferings } from './support';

/**
 * The built-in catalog as written, before defaults. PKCE is on unless the provider is known
 * to reject or mishandle it; endpoints, scopes and quirks follow each provider's
 * documentation linked in `docs_url`.
 */
export const catalogSources: readonly OfferingDefinitionInput[] = [
  edgelinkOffering,
  ...salesforceOfferings,
  ...googleOfferings,
  ...microsoftOfferings,
  ...slackOfferings,
  ...crmOfferings,
  ...developerOfferings,
  ...atlassianOfferings,
  ...productivityOfferings,
  ...documentOfferings,
  ...messagingOfferings,
  ...accountingOfferings,
  ...commerceOfferings,
  ...supportOfferings,
  ...identityOfferings,
  ...apiKeyOfferings,
];

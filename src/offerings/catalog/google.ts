import type { OfferingDefinitionInput } from '../definition';

const identityScopes = ['openid', 'email', 'profile'];

/**
 * Google: a refresh token comes only with access_type=offline, and only on first consent
 * unless prompt=consent asks again, so both are always sent.
 */
function google(product: { id: string; name: string; description: string; scopes: string[] }): OfferingDefinitionInput {
  return {
    id: product.id,
    name: product.name,
    provider: 'google',
    description: product.description,
    docs_url: 'https://developers.google.com/identity/protocols/oauth2/web-server',
    auth_mode: 'oauth2',
    authorization_url: 'https://accounts.google.com/o/oauth2/v2/auth',
    token_url: 'https://oauth2.googleapis.com/token',
    userinfo_url: 'https://openidconnect.googleapis.com/v1/userinfo',
    revocation_url: 'https://oauth2.googleapis.com/revoke',
    scope_separator: ' ',
    default_scopes: [...identityScopes, ...product.scopes],
    authorization_params: { access_type: 'offline', prompt: 'consent' },
    token_auth_method: 'client_secret_post',
    pkce: true,
    account: { id: 'sub', email: 'email', name: 'name' },
  };
}

export const googleOfferings: OfferingDefinitionInput[] = [
  google({
    id: 'off_google',
    name: 'Google',
    description: 'Any Google API: add the scopes your integration needs to the OpenID ones.',
    scopes: [],
  }),
  google({
    id: 'off_google_drive',
    name: 'Google Drive',
    description: 'Files the user opens or creates with your app (drive.file).',
    scopes: ['https://www.googleapis.com/auth/drive.file'],
  }),
  google({
    id: 'off_gmail',
    name: 'Gmail',
    description: "Read the user's mail (gmail.readonly).",
    scopes: ['https://www.googleapis.com/auth/gmail.readonly'],
  }),
  google({
    id: 'off_google_calendar',
    name: 'Google Calendar',
    description: "Read and write the user's calendar events (calendar.events).",
    scopes: ['https://www.googleapis.com/auth/calendar.events'],
  }),
  google({
    id: 'off_google_sheets',
    name: 'Google Sheets',
    description: "Read and write the user's spreadsheets (spreadsheets).",
    scopes: ['https://www.googleapis.com/auth/spreadsheets'],
  }),
];

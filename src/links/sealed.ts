import type { SealedColumn } from '../db/sealed';
import { links } from './schema';

// The link token is kept sealed (besides its hash) so its URL can be shown again.
export const linkTokenAad = (id: string) => `links/${id}/token`;

export const linkSealedColumns: SealedColumn[] = [{ name: 'links.token_enc', table: links, key: links.id, column: links.tokenEnc, aad: linkTokenAad }];

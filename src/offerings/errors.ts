export type OfferingErrorCode =
  | 'missing_input'
  | 'invalid_input'
  | 'unknown_input'
  | 'unknown_placeholder'
  | 'invalid_url'
  | 'invalid_public_url'
  | 'not_oauth2'
  | 'reserved_param'
  | 'pkce_required'
  | 'missing_credential';

/**
 * A request could not be built from an offering: an input is missing or malformed, a template
 * names something unknown, or the caller asked for what the offering does not do. Messages
 * name the field, never a secret; the caller maps `code` onto its own error shape.
 */
export class OfferingError extends Error {
  override readonly name = 'OfferingError';

  constructor(
    readonly code: OfferingErrorCode,
    message: string,
    /** The input, parameter or credential key the error is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

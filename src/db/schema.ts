// Every table, gathered for drizzle-kit and the query client. Each feature owns its tables.
export * from '../organizations/schema';
export * from '../users/schema';
export * from '../api-keys/schema';
export * from '../offerings/schema';
export * from '../integrations/schema';
export * from '../connections/schema';
export * from '../links/schema';
export * from '../connect/schema';
export * from '../webhooks/schema';
export * from '../applications/schema';
export * from '../notifications/schema';
export * from '../oauth-server/schema';

import type { D1Migration } from '@cloudflare/vitest-plugin';
import type { CloudflareBindings } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends CloudflareBindings {
      TEST_MIGRATIONS: D1Migration[];
      TEST_REPLICA: D1Database;
    }
  }
}

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import('../src/index');
    }
  }
}

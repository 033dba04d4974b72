// Browser tests need Debian's Chromium (playwright-core drives /usr/bin/chromium; it never
// downloads a browser of its own). Install it when missing and we are allowed to.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(path)) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root) {
    console.error(`Chromium not found at ${path}. Install it (Debian: sudo apt-get install -y chromium) and rerun.`);
    process.exit(1);
  }
  console.log(`Chromium not found at ${path}: installing Debian's chromium package…`);
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null', {
    stdio: 'inherit',
    shell: '/bin/bash',
  });
  if (!existsSync(path)) {
    console.error('chromium was installed but /usr/bin/chromium is still missing');
    process.exit(1);
  }
}

/**
 * `npm run package`: packages the extension into a .vsix with tfx (options in
 * testkit/package.ts, the packager, which the packaging tests use too).
 */
import { main } from '../testkit/package';

main();

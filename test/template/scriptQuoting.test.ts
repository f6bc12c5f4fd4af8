import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { artifactLayout } from '../../shared/template/artifactSteps';
import { psQuote, psUrl, shQuote } from '../../shared/template/scriptQuoting';
import { buildImageTemplate, type ImageTemplateBody, type ImageTemplateCustomizer } from '../../shared/template';
import { FILE_LIMIT, artifactsFor, configWith, ids, stagedArtifact } from '../support/configFixtures';

/** Values that break out of naive quoting, in PowerShell, in a shell, or after a code-page change. */
const HOSTILE = [
  'xÑ;calc.exe;#',
  "'",
  '’',
  '‘',
  '‚',
  '‛',
  '"',
  '`',
  '$(calc.exe)',
  'a\nb',
  'a\r\nb',
  "x';calc.exe;'",
  'xÒ В ‚q',
  'C:\\tmp\\Ω 漢字\\file.ps1',
  '',
];

const BASE64_EXPRESSION = /^\(\[Text\.Encoding\]::UTF8\.GetString\(\[Convert\]::FromBase64String\('([A-Za-z0-9+/=]*)'\)\)\)$/;

/**
 * What PowerShell makes of one expression psQuote or psUrl wrote: a
 * single-quoted literal ('' is one quote; PowerShell also ends such a string
 * at any of the typographic single quotes) or the Base64 decoding expression.
 */
function evaluatePowerShellValue(expression: string): string {
  const decoded = BASE64_EXPRESSION.exec(expression);
  if (decoded) return Buffer.from(decoded[1] as string, 'base64').toString('utf8');
  assert.match(expression, /^'/, `not a value expression: ${expression}`);
  let value = '';
  for (let i = 1; i < expression.length; i++) {
    const c = expression[i] as string;
    if ("'\u2018\u2019\u201A\u201B".includes(c)) {
      if (expression[i + 1] !== undefined && "'\u2018\u2019\u201A\u201B".includes(expression[i + 1] as string)) {
        value += c;
        i++;
        continue;
      }
      assert.equal(i, expression.length - 1, `the literal ends early at ${i}: ${expression}`);
      return value;
    }
    value += c;
  }
  assert.fail(`unterminated literal: ${expression}`);
}

/** Every byte below 0x80: the text reads the same in every ANSI and OEM code page. */
function assertAscii(text: string, what: string): void {
  const bytes = Buffer.from(text, 'utf8');
  const high = bytes.findIndex((b) => b >= 0x80);
  assert.equal(high, -1, `${what} has a non-ASCII byte at ${high}: ${JSON.stringify(text)}`);
}

const pwsh = spawnSync('pwsh', ['-NoProfile', '-Command', '1'], { encoding: 'utf8' }).status === 0;

const steps = (body: ImageTemplateBody): ImageTemplateCustomizer[] => body.properties.customize ?? [];
const inline = (c: ImageTemplateCustomizer): string[] => ('inline' in c && c.inline ? c.inline : []);
const stepNamed = (body: ImageTemplateBody, name: string): ImageTemplateCustomizer => {
  const found = steps(body).find((c) => c.name === name);
  assert.ok(found, `no step ${name}`);
  return found;
};

/** The expression that follows `prefix` up to `suffix` in a line (both literal). */
function between(line: string, prefix: string, suffix: string): string {
  assert.ok(line.startsWith(prefix), `${line} does not start with ${prefix}`);
  assert.ok(line.endsWith(suffix), `${line} does not end with ${suffix}`);
  return line.slice(prefix.length, line.length - suffix.length);
}

describe('script quoting', function () {
  describe('PowerShell', function () {
    for (const value of HOSTILE) {
      it(`embeds ${JSON.stringify(value)} as pure ASCII that gives the value back`, function () {
        const expression = psQuote(value);
        assertAscii(expression, 'the expression');
        assert.equal(evaluatePowerShellValue(expression), value);
        if (/[^A-Za-z0-9 _.:\\/-]/.test(value)) {
          const literal = BASE64_EXPRESSION.exec(expression);
          assert.ok(literal, `expected the Base64 form for ${JSON.stringify(value)}, got ${expression}`);
          assert.equal(Buffer.from(literal[1] as string, 'base64').toString('utf8'), value);
        }
        if (pwsh && value !== '') {
          const out = execFileSync('pwsh', ['-NoProfile', '-Command', `[Console]::Out.Write(${expression})`], { encoding: 'utf8' });
          assert.equal(out, value);
        }
      });
    }

    it('keeps plain ASCII paths readable as single-quoted literals', function () {
      assert.equal(psQuote('C:\\BuildArtifacts\\web app-1.0_x.zip'), "'C:\\BuildArtifacts\\web app-1.0_x.zip'");
    });

    it('writes URLs serialized (non-ASCII percent-encoded), single-quoted, and falls back to Base64 for a quote', function () {
      assert.equal(psUrl('https://a.blob.core.windows.net/c/xÑ;calc.exe;#?sig=a%2Bb'), "'https://a.blob.core.windows.net/c/x%C3%91;calc.exe;#?sig=a%2Bb'");
      const quoted = psUrl("https://a.blob.core.windows.net/c/it's");
      assertAscii(quoted, 'the URL');
      assert.equal(evaluatePowerShellValue(quoted), "https://a.blob.core.windows.net/c/it's");
    });

    for (const value of HOSTILE.filter((v) => v !== '')) {
      it(`a Windows template with ${JSON.stringify(value)} in folder, destination and script path has ASCII-only scripts that get it back`, function () {
        const destination = `C:\\Apps\\${value}`;
        const config = configWith('powershell', (c) => {
          c.artifacts = artifactsFor('powershell', 'identity', { folderName: value, destination });
          c.buildVm.userAssignedIdentities = [ids.buildVmIdentity];
          c.customize.scriptPath = `${value}\\setup.ps1`;
          c.customize.inlineScript = ['Write-Host hello'];
          c.customize.removeArtifacts = true;
        });
        const body = buildImageTemplate(config, { artifact: stagedArtifact('powershell', 'identity', FILE_LIMIT + 1) });
        for (const step of steps(body).filter((c) => c.type === 'PowerShell')) {
          for (const line of inline(step)) {
            if (line !== 'Write-Host hello') assertAscii(line, `${step.name}: ${line}`);
          }
        }
        const [cd] = inline(stepNamed(body, 'RunInlineScript'));
        assert.equal(evaluatePowerShellValue(between(cd as string, 'Set-Location -LiteralPath ', ' -ErrorAction Stop')), destination);
        const [, run] = inline(stepNamed(body, 'RunScriptFile'));
        assert.equal(evaluatePowerShellValue(between(run as string, '& ', '')), `${destination}\\${value}\\setup.ps1`);
        const unpack = inline(stepNamed(body, 'UnpackBuildArtifacts')).at(-1) as string;
        const [archive, target] = unpack.replace(/^Expand-Archive -LiteralPath /, '').replace(/ -Force$/, '').split(' -DestinationPath ');
        assert.equal(evaluatePowerShellValue(target as string), destination);
        assert.match(evaluatePowerShellValue(archive as string), /^C:\\BuildArtifacts\\[A-Za-z0-9._-]+\.zip$/);
      });
    }
  });

  describe('shell', function () {
    /** Runs `printf '%s\0'` over the quoted words in bash and dash (/bin/sh): what the shell hands a command. */
    function argumentsIn(shell: 'bash' | 'sh', words: string): string[] {
      const out = execFileSync(shell, ['-c', `printf '%s\\0' ${words}`]);
      return out.toString('utf8').split('\0').slice(0, -1);
    }

    for (const value of HOSTILE) {
      it(`keeps ${JSON.stringify(value)} one argument, byte for byte`, function () {
        for (const shell of ['bash', 'sh'] as const) assert.deepEqual(argumentsIn(shell, shQuote(value)), [value], shell);
      });
    }

    it('the generated removal line hands rm exactly the destination and the archive, whatever they hold', function () {
      for (const value of HOSTILE.filter((v) => v !== '')) {
        const destination = `/opt/${value}`;
        const config = configWith('shell', (c) => {
          c.artifacts = artifactsFor('shell', 'sas', { folderName: value, destination });
          c.customize.removeArtifacts = true;
        });
        const body = buildImageTemplate(config, { artifact: stagedArtifact('shell', 'sas', FILE_LIMIT) });
        const removal = inline(stepNamed(body, 'RemoveBuildArtifacts')).at(-1) as string;
        const words = between(removal, 'sudo rm -rf ', '');
        const { archivePath } = artifactLayout(config.artifacts!, 'shell', 'tar.gz');
        assert.deepEqual(argumentsIn('bash', words), [destination, archivePath]);
      }
    });
  });
});

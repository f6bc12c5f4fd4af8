/** The customize section: the user's customizers, artifact steps and Windows Update. */
import type { ImageBuilderConfig } from '../config/types';
import type { StagedArtifact } from './stagedArtifact';
import {
  artifactDeliverySteps,
  artifactLayout,
  artifactRemovalStep,
  powershell,
  shell,
  withElevation,
  type ArtifactLayout,
} from './artifactSteps';
import { psQuote, shQuote } from './scriptQuoting';
import type { ImageTemplateCustomizer, WindowsUpdateCustomizer } from './types';

/** Windows Update as the task applies it: everything not installed yet, previews excluded. */
export const WINDOWS_UPDATE_STEP: WindowsUpdateCustomizer = {
  type: 'WindowsUpdate',
  name: 'InstallWindowsUpdates',
  searchCriteria: 'IsInstalled=0',
  filters: ["exclude:$_.Title -like '*Preview*'", 'include:$true'],
  updateLimit: 1000,
};

/**
 * The task's customization, split by where each part goes: `artifacts` must
 * come first (everything after may use the files), `scripts` are the steps the
 * customize inputs ask for, `removal` runs after all scripts, `additional` are
 * the user's own customizers, appended as given.
 */
export interface CustomizePlan {
  artifacts: ImageTemplateCustomizer[];
  scripts: {
    inline: ImageTemplateCustomizer[];
    scriptPath: ImageTemplateCustomizer[];
    windowsRestart: ImageTemplateCustomizer[];
    windowsUpdate: ImageTemplateCustomizer[];
  };
  removal: ImageTemplateCustomizer[];
  additional: ImageTemplateCustomizer[];
}

export function planCustomization(config: ImageBuilderConfig, artifact: StagedArtifact | undefined): CustomizePlan {
  const { customize, provisioner } = config;
  const windows = provisioner === 'powershell';
  // Scripts find the artifacts at the destination even when nothing was staged yet.
  const layout = config.artifacts ? artifactLayout(config.artifacts, provisioner, artifact?.format) : undefined;
  // Only what was delivered is removed.
  const delivered = layout !== undefined && artifact !== undefined;
  const elevation = { runElevated: customize.runElevated, runAsSystem: customize.runAsSystem };

  const artifacts =
    layout && config.artifacts && artifact
      ? artifactDeliverySteps(layout, artifact, { access: config.artifacts.access, buildVmIdentities: config.buildVm.userAssignedIdentities })
      : [];

  const inline: ImageTemplateCustomizer[] = [];
  if (customize.inlineScript.length > 0) {
    const lines = [...workingDirectoryLines(layout), ...customize.inlineScript];
    inline.push(windows ? withElevation(powershell('RunInlineScript', lines), elevation) : shell('RunInlineScript', lines));
  }

  const scriptPath: ImageTemplateCustomizer[] = [];
  if (customize.scriptPath !== undefined && customize.scriptPath !== '') {
    const lines = [...workingDirectoryLines(layout), ...runScriptLines(scriptLocation(customize.scriptPath, layout, windows), windows)];
    scriptPath.push(windows ? withElevation(powershell('RunScriptFile', lines), elevation) : shell('RunScriptFile', lines));
  }

  // parseConfig rejects the Windows switches with the shell provisioner; they only apply to Windows.
  const windowsRestart: ImageTemplateCustomizer[] = windows && customize.windowsRestart ? [{ type: 'WindowsRestart', name: 'RestartWindows' }] : [];
  const windowsUpdate: ImageTemplateCustomizer[] = windows && customize.windowsUpdate ? [{ ...WINDOWS_UPDATE_STEP, filters: [...WINDOWS_UPDATE_STEP.filters!] }] : [];

  const removal = delivered && customize.removeArtifacts ? [artifactRemovalStep(layout, elevation)] : [];

  // Already checked by parseConfig to be objects with a string `type`; the service validates the rest.
  const additional = customize.additionalCustomizers.map((c) => structuredClone(c) as unknown as ImageTemplateCustomizer);

  return { artifacts, scripts: { inline, scriptPath, windowsRestart, windowsUpdate }, removal, additional };
}

/** The whole customize list in the task's order. */
export function orderedCustomizers(plan: CustomizePlan): ImageTemplateCustomizer[] {
  return [
    ...plan.artifacts,
    ...plan.scripts.inline,
    ...plan.scripts.scriptPath,
    ...plan.scripts.windowsRestart,
    // Last of the task's own steps: updates should not be undone or re-triggered by later scripts.
    ...plan.scripts.windowsUpdate,
    ...plan.removal,
    ...plan.additional,
  ];
}

/**
 * Scripts start in the unpacked artifacts, so they can use relative paths.
 * Only this line fails hard: the user's own lines keep their error behaviour.
 */
function workingDirectoryLines(layout: ArtifactLayout | undefined): string[] {
  if (!layout) return [];
  return layout.os === 'linux'
    ? [`cd ${shQuote(layout.destination)} || exit 1`]
    : [`Set-Location -LiteralPath ${psQuote(layout.destination)} -ErrorAction Stop`];
}

/** With artifacts the script path is relative to the destination; without, it is a path on the VM as given. */
function scriptLocation(scriptPath: string, layout: ArtifactLayout | undefined, windows: boolean): string {
  if (!layout) return scriptPath;
  if (windows) return `${layout.destination}\\${scriptPath.replace(/\//g, '\\').replace(/^(\.\\)+/, '').replace(/^\\+/, '')}`;
  return `${layout.destination}/${scriptPath.replace(/^(\.\/)+/, '').replace(/^\/+/, '')}`;
}

function runScriptLines(location: string, windows: boolean): string[] {
  if (!windows) {
    // Image configuration scripts install packages and edit system files; the build user is not root.
    return [`sudo bash ${shQuote(location)}`];
  }
  return [
    `& ${psQuote(location)}`,
    // A native command's exit code does not fail the step by itself.
    'if ($LASTEXITCODE -ne $null -and $LASTEXITCODE -ne 0) { exit $LASTEXITCODE }',
  ];
}

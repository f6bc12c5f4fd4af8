/** The operations Microsoft.VirtualMachineImages advertises (GET /providers/Microsoft.VirtualMachineImages/operations). */
const op = (name: string, description: string, resource?: string) => ({
  name: `Microsoft.VirtualMachineImages/${name}`,
  display: { provider: 'Virtual Machine Image Builder', ...(resource ? { resource } : {}), operation: description, description },
  isDataAction: false,
});

export const PROVIDER_OPERATIONS = [
  op('register/action', 'Register Virtual Machine Image Builder RP'),
  op('unregister/action', 'Unregister Virtual Machine Image Builder RP'),
  op('imageTemplates/read', 'Get a VM image template instance resource', 'VM Image template'),
  op('imageTemplates/write', 'Create or update a VM image template instance resource', 'VM Image template'),
  op('imageTemplates/delete', 'Delete a VM image template instance resource', 'VM Image template'),
  op('imageTemplates/run/action', 'Execute a VM image template to produce its outputs', 'VM Image template'),
  op('imageTemplates/runOutputs/read', 'Get a VM image template run output resource', 'VM Image template run output'),
  op('operations/read', 'List available Virtual Machine Image Builder Operations', 'Operation'),
  op('locations/operations/read', 'Get the status of an asynchronous operation', 'Asynchronous Operation'),
  op('imageTemplates/cancel/action', 'Cancel a running image build', 'VM Image template'),
  op('imageTemplates/triggers/write', 'Create or update a trigger for a VM image template resource', 'Trigger'),
  op('imageTemplates/triggers/read', 'Get a trigger for a VM image template resource', 'Trigger'),
  op('imageTemplates/triggers/delete', 'Delete a trigger for a VM image template resource', 'Trigger'),
];

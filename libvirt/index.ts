// The libvirt layer's public API (for the replay CLI and the Gherkin step library).

export { LibvirtDomain, type OperationResult, type PassThroughResult, type StartupResult, type LibvirtDomainOptions } from './domain-object';
export { defineDomain, startDomain, type DefineOptions, validateMemoryHotplug, validateMemoryDevice, slotBitmap, initialKiB, type DomainDef, type NumaCell, type MachineType } from './domain';
export { parseMemoryDeviceXml, type MemoryDeviceDef, type DeviceAddress } from './device';
export { planAttach, planDetach, findMemory, freeSlot, insertMemory, removeMemory, refreshFromQuery, type AttachPlan, type DetachPlan } from './hotplug';
export { domainXml, memoryDeviceXml } from './livexml';
export { LE, formatLibvirtError, LibvirtFailure, type LibvirtError, type LibvirtErrorCode } from './errors';
export { ATTACHED, DETACHED, virshFailure, virshSuccess, type VirshOutput, type VirshReply } from './virsh';
export { parseXml, DEVICE_DOC, DOMAIN_DOC, type XmlElement } from './xml';

// PLACEHOLDER owned by the ACPI/IRQ work: replaced by the real IRQ state.
export interface IrqState { readonly placeholder?: true }

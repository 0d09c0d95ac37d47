// PLACEHOLDER owned by the ACPI/IRQ work: replaced by the real ACPI state.
export interface AcpiState { readonly placeholder?: true }

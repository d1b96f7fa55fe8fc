/**
 * Kernel functions that return NULL when they fail or find nothing, as data:
 * lookups, finders and allocations. A result of one of them must be checked
 * before it is dereferenced. Read by the facts layer (src/facts/nulls.ts).
 *
 * Not here: functions that return an ERR_PTR() on failure (they are checked
 * with IS_ERR(), which a NULL test does not replace).
 */
import { KMALLOC_FAMILY } from "./objects.js";

/** Lookups and finders that return NULL when there is nothing to find. */
export const LOOKUP_CALLS: ReadonlySet<string> = new Set([
  "xa_load", "xa_find", "xa_find_after",
  "idr_find", "idr_get_next",
  "radix_tree_lookup",
  "rb_find", "rb_find_first", "rb_first", "rb_last", "rb_next", "rb_prev",
  "of_device_get_match_data", "device_get_match_data", "of_match_device", "of_match_node",
  "of_find_node_by_name", "of_find_node_by_path", "of_find_compatible_node",
  "of_get_child_by_name", "of_get_parent", "of_parse_phandle", "of_find_device_by_node",
  "usb_ifnum_to_if", "usb_find_interface", "usb_altnum_to_altsetting",
  "bus_find_device", "bus_find_device_by_name", "class_find_device", "device_find_child", "driver_find_device",
  "pci_get_device", "pci_get_slot", "pci_get_domain_bus_and_slot", "pci_find_bus", "pci_find_capability_ptr",
  "find_vma", "vma_lookup", "find_task_by_vpid", "find_get_pid", "get_pid_task",
  "list_first_entry_or_null", "list_last_entry_or_null",
  "kobject_get_unless_zero", "try_get_module",
  "fd_file",
]);

/** Names that say they look something up: `foo_lookup()`, `bar_find_by_id()`. */
export const LOOKUP_NAME = /^(\w+_)?(lookup|find)(_\w+)?$/;

/** Allocations that return NULL on failure (the ones that return an ERR_PTR are not listed). */
export const NULL_ALLOC_CALLS: readonly RegExp[] = [
  ...KMALLOC_FAMILY,
  /^(alloc_pages|alloc_page|alloc_pages_node|folio_alloc|__get_free_page|__get_free_pages|alloc_workqueue|alloc_ordered_workqueue|alloc_netdev|alloc_etherdev|dma_alloc_coherent|dmam_alloc_coherent|usb_alloc_urb|usb_alloc_coherent|scsi_host_alloc|input_allocate_device)$/,
];

/** A gfp flag that makes an allocation never fail (mempool_alloc() and bio_alloc() with a sleeping mask never do, and are not listed). */
export const NOFAIL_FLAG = /\b__GFP_NOFAIL\b/;

/** Calls that check the pointer they are handed and fail (return an ERR_PTR) when it is NULL: a test of it. */
export const NULL_CHECKING_CALLS: ReadonlySet<string> = new Set(["devm_ioremap_resource", "devm_ioremap_resource_wc", "devm_of_iomap"]);

/** A lookup or finder, by the table or by its name. */
export function isLookupCall(name: string): boolean {
  return LOOKUP_CALLS.has(name) || LOOKUP_NAME.test(name);
}

/** An allocation that returns NULL on failure. */
export function isNullAlloc(name: string): boolean {
  return NULL_ALLOC_CALLS.some((re) => re.test(name));
}

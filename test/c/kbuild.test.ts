import { describe, expect, it } from "vitest";
import { Kbuild, kconfigType, makefileAssignments } from "../../src/c/kbuild.js";
import type { TreeSource } from "../../src/c/whole.js";

const tree = (files: Record<string, string>): TreeSource => ({ read: (p) => (p in files ? { text: files[p] } : null) });

// Cut down from linux 6.12's drivers/usb/typec/ucsi/Makefile, drivers/pci/Makefile and Kconfig, fs/iomap/Makefile, fs/Kconfig.
const FILES = {
  "drivers/usb/typec/ucsi/Makefile":
    "obj-$(CONFIG_TYPEC_UCSI)\t\t+= typec_ucsi.o\n\ntypec_ucsi-y\t\t\t\t:= ucsi.o\n\nifneq ($(CONFIG_TYPEC_DP_ALTMODE),)\n\ttypec_ucsi-y\t\t\t+= displayport.o\nendif\n\nobj-$(CONFIG_UCSI_ACPI)\t\t\t+= ucsi_acpi.o\n",
  "drivers/usb/typec/ucsi/Kconfig": 'config TYPEC_UCSI\n\ttristate "USB Type-C Connector System Software Interface driver"\n\tdepends on !CPU_BIG_ENDIAN\n\nconfig UCSI_ACPI\n\ttristate "UCSI ACPI Interface Driver"\n',
  "drivers/pci/Makefile": "obj-$(CONFIG_PCI)\t\t+= access.o bus.o probe.o host-bridge.o \\\n\t\t\t\t   remove.o pci.o pci-driver.o search.o\nobj-$(CONFIG_PCI_QUIRKS)\t+= quirks.o\n",
  "drivers/pci/Kconfig": 'menuconfig PCI\n\tbool "PCI support"\n\tdepends on HAVE_PCI\n\nconfig PCI_QUIRKS\n\tdefault y\n\tbool "Enable PCI quirk workarounds" if EXPERT\n',
  "fs/iomap/Makefile": "obj-$(CONFIG_FS_IOMAP)\t\t+= iomap.o\n\niomap-y\t\t\t\t+= trace.o \\\n\t\t\t\t   iter.o\niomap-$(CONFIG_BLOCK)\t\t+= buffered-io.o \\\n\t\t\t\t   direct-io.o\n",
  "fs/Kconfig": "config FS_IOMAP\n\tbool\n\nconfig FS_DAX\n\tbool \"File system based Direct Access (DAX) support\"\n",
  "mm/Makefile": "obj-y\t\t\t:= filemap.o mempool.o oom_kill.o\n",
};

describe("Kbuild", () => {
  const kb = new Kbuild(tree(FILES));

  it("a composite object's parts are one module, under the option of the object", () => {
    expect(kb.unit("drivers/usb/typec/ucsi/ucsi.c")).toEqual({ module: "drivers/usb/typec/ucsi/typec_ucsi", option: "CONFIG_TYPEC_UCSI", build: "modular" });
    expect(kb.unit("drivers/usb/typec/ucsi/displayport.c")?.module).toBe("drivers/usb/typec/ucsi/typec_ucsi");
    expect(kb.unit("drivers/usb/typec/ucsi/ucsi_acpi.c")).toEqual({ module: "drivers/usb/typec/ucsi/ucsi_acpi", option: "CONFIG_UCSI_ACPI", build: "modular" });
  });

  it("built in: obj-y, or a bool option found in the directory's Kconfig or one above it", () => {
    expect(kb.unit("drivers/pci/pci.c")).toMatchObject({ option: "CONFIG_PCI", build: "builtin" });
    expect(kb.unit("drivers/pci/quirks.c")).toMatchObject({ module: "drivers/pci/quirks", option: "CONFIG_PCI_QUIRKS", build: "builtin" });
    expect(kb.unit("fs/iomap/buffered-io.c")).toEqual({ module: "fs/iomap/iomap", option: "CONFIG_FS_IOMAP", build: "builtin" });
    expect(kb.unit("mm/filemap.c")).toEqual({ module: "mm/filemap", option: null, build: "builtin" });
  });

  it("unknown when the option is declared nowhere it looks; null when the Makefile does not list the file or is missing", () => {
    expect(new Kbuild(tree({ "drivers/x/Makefile": "obj-$(CONFIG_X) += x.o\n" })).unit("drivers/x/x.c")).toMatchObject({ build: "unknown" });
    expect(kb.unit("drivers/pci/nothere.c")).toBeNull();
    expect(kb.unit("drivers/none/a.c")).toBeNull();
  });

  it("reads assignments across continuation lines and Kconfig types up to the next entry", () => {
    expect(makefileAssignments("foo-objs := a.o \\\n  b.o\n# obj-y += c.o\n")).toEqual([{ target: "foo", when: "y", objects: ["a.o", "b.o"] }]);
    expect(kconfigType("config A\n\tbool\nconfig B\n\ttristate\n", "B")).toBe("tristate");
    expect(kconfigType("config A\n\tdepends on B\nconfig B\n\ttristate\n", "A")).toBeNull();
    expect(kconfigType("config A\n\tdef_bool y\n", "A")).toBe("bool");
  });
});

/**
 * safe-iterator-misuse, inline cases. Each valid case has an invalid twin
 * that differs only in the fact the rule needs, modelled on kernel code
 * (6.12): cgroup_migrate_finish() (delete under the lock), release_nodes()
 * in drivers/base/devres.c (walk a list spliced off under the lock), a kref
 * release callback (teardown of a dying object), and a lookup whose callers
 * hold the lock (lockdep_assert_held()).
 */
import { lineOf, ruleTester } from "../helpers/rule-tester.js";

// Another function takes entries off the list, under the host's lock.
const DEL = `struct host {
	spinlock_t lock;
	struct list_head ports;
};

void host_del_port(struct host *h, int id)
{
	struct port *p, *n;

	spin_lock(&h->lock);
	list_for_each_entry_safe(p, n, &h->ports, node) {
		if (p->id == id) {
			list_del(&p->node);
			kfree(p);
		}
	}
	spin_unlock(&h->lock);
}
`;

// 1. A lookup with no lock, while host_del_port() deletes under h->lock.
const lookup = (pre: string) => `${DEL}
struct port *host_find_port(struct host *h, int id)
{
	struct port *p, *n;

	${pre}
	list_for_each_entry_safe(p, n, &h->ports, node) {
		if (p->id == id)
			return p;
	}
	return NULL;
}
`;
const lookupIn = (lock: boolean) => `${DEL}
struct port *host_find_port(struct host *h, int id)
{
	struct port *p, *n, *found = NULL;

	${lock ? "spin_lock(&h->lock);" : ""}
	list_for_each_entry_safe(p, n, &h->ports, node) {
		if (p->id == id) {
			found = p;
			break;
		}
	}
	${lock ? "spin_unlock(&h->lock);" : ""}
	return found;
}
`;
const lookupLocked = lookupIn(true);
const lookupUnlocked = lookupIn(false);

// 2. The caller's lock, stated with lockdep_assert_held().
const asserted = lookup("lockdep_assert_held(&h->lock);\n");
const notAsserted = lookup("might_sleep();\n");

// 3. Deleting under the lock (cgroup_migrate_finish()).
const sweep = (lock: boolean) => `${DEL}
void host_sweep(struct host *h)
{
	struct port *p, *n;

	${lock ? "spin_lock(&h->lock);" : ""}
	list_for_each_entry_safe(p, n, &h->ports, node) {
		if (p->dead) {
			list_del(&p->node);
			kfree(p);
		}
	}
	${lock ? "spin_unlock(&h->lock);" : ""}
}
`;
// The invalid twin of (3): the body takes the lock itself around the deletion (D043's shape).
const sweepBodyLocks = `${DEL}
void host_sweep(struct host *h)
{
	struct port *p, *n;

	list_for_each_entry_safe(p, n, &h->ports, node) {
		spin_lock(&h->lock);
		list_del(&p->node);
		spin_unlock(&h->lock);
		kfree(p);
	}
}
`;

// 4. A private list spliced off under the lock (release_nodes()).
const spliced = (priv: boolean) => `${DEL}
void host_flush(struct host *h)
{
	struct port *p, *n;
	LIST_HEAD(todo);

	spin_lock(&h->lock);
	list_splice_init(&h->ports, &todo);
	spin_unlock(&h->lock);
	list_for_each_entry_safe(p, n, ${priv ? "&todo" : "&h->ports"}, node)
		pr_info("port %d\\n", p->id);
}
`;

// 5. The teardown of an object nobody else can reach any more.
const release = (param: string, getHost: string) => `${DEL}
static void host_release(${param})
{
	struct host *h = ${getHost};
	struct port *p, *n;

	list_for_each_entry_safe(p, n, &h->ports, node)
		pr_info("port %d left\\n", p->id);
	kfree(h);
}
`;

// 6. A lock dropped in the body and retaken before the next entry (D042's shape).
const dropped = (after: string) => `${DEL}
void host_reap(struct host *h)
{
	struct port *p, *n;
	unsigned long flags;

	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry_safe(p, n, &h->ports, node) {
		list_del_init(&p->node);
		spin_unlock_irqrestore(&h->lock, flags);
		port_shutdown(p);
		spin_lock_irqsave(&h->lock, flags);${after}
	}
	spin_unlock_irqrestore(&h->lock, flags);
}
`;

// 7. A file-scope list, changed at run time by another function with no lock (seed 000's shape).
const registry = (initAttr: string, local = "") => `static LIST_HEAD(stores);

void ${initAttr}store_register(struct store *s)
{
	list_add_tail(&s->list, &stores);
}

${local}void ${initAttr}store_unregister(struct store *s)
{
	list_del(&s->list);
}

${local}int store_find(struct inode *inode)
{
	struct store *s, *n;

	list_for_each_entry_safe(s, n, &stores, list) {
		if (s->match(inode))
			return 0;
	}
	return -ENOENT;
}
`;

ruleTester("safe-iterator-misuse", {
  valid: [
    { name: "a lookup under the lock that deleters take", code: lookupLocked },
    { name: "a lookup whose caller holds the lock, stated with lockdep_assert_held()", code: asserted },
    { name: "a lookup inside an RCU read-side section (a question of the walk macro, not of the _safe form)", code: lookup("rcu_read_lock();\n") },
    { name: "a _safe walk that deletes entries under the lock", code: sweep(true) },
    { name: "a _safe walk of a private list spliced off under the lock", code: spliced(true) },
    { name: "a teardown walk in a kref release callback", code: release("struct kref *kref", "container_of(kref, struct host, ref)") },
    { name: "a body that drops the lock and leaves the walk after retaking it", code: dropped("\n\t\tbreak;") },
    { name: "a file-scope list changed only at __init", code: registry("__init ") },
    // With no lock anywhere, two static functions of one driver run in the flows it sets up (mpt3sas, leapraid reset paths).
    { name: "a list no lock guards, walked and pruned only by static functions", code: registry("", "static ") },
    {
      name: "a hunk that ends inside the walk's body",
      diff: `--- a/drivers/misc/host.c
+++ b/drivers/misc/host.c
@@ -10,6 +10,9 @@ void host_check(struct host *h)
 {
 	struct port *p, *n;
 
+	list_for_each_entry_safe(p, n, &h->ports, node) {
+		if (p->dead)
+			pr_info("dead %d\\n", p->id);
 		port_put(p);
`,
    },
  ],
  invalid: [
    { name: "a lookup with no lock while another function deletes under it", code: lookupUnlocked, errors: [{ line: lineOf(lookupUnlocked, "list_for_each_entry_safe", 2), messageId: "unlocked" }] },
    { name: "a lookup with no lock and no contract", code: notAsserted, errors: [{ line: lineOf(notAsserted, "list_for_each_entry_safe", 2), messageId: "unlocked" }] },
    { name: "a _safe walk whose body takes the lock around its deletion", code: sweepBodyLocks, errors: [{ line: lineOf(sweepBodyLocks, "list_for_each_entry_safe", 2), messageId: "bodyLocks" }] },
    { name: "the same walk of the shared list, not the spliced one", code: spliced(false), errors: [{ line: lineOf(spliced(false), "list_for_each_entry_safe", 2), messageId: "unlocked" }] },
    { name: "the same teardown walk in a function handed a live host", code: release("struct host *h0", "h0"), errors: [{ line: lineOf(release("struct host *h0", "h0"), "list_for_each_entry_safe", 2), messageId: "unlocked" }] },
    { name: "a body that drops the lock and goes on to the saved next entry", code: dropped(""), errors: [{ line: lineOf(dropped(""), "spin_unlock_irqrestore"), messageId: "dropped" }] },
    { name: "a file-scope list another function deletes from at run time", code: registry(""), errors: [{ line: lineOf(registry(""), "list_for_each_entry_safe"), messageId: "unserialised" }] },
  ],
});

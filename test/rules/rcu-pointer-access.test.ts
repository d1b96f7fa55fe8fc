import { lineOf, ruleTester } from "../helpers/rule-tester.js";

const types = `struct conf { int n; struct rcu_head rcu; };
struct ent { struct list_head node; struct rcu_head rcu; struct ctl *ctl; };
struct dev {
	struct mutex lock;
	spinlock_t slock;
	struct list_head ents;
	struct conf __rcu *conf;
};
`;

/** One function after the types: `body` is its statements. */
const fn = (body: string, head = "void f(struct dev *d, struct ent *e)") => `${types}\n${head}\n{\n${body}\n}\n`;

const delThenFree = fn("\tspin_lock(&d->slock);\n\tlist_del_rcu(&e->node);\n\tspin_unlock(&d->slock);\n\tkfree(e);");
const replaceThenFree = fn("\tstruct conf *old;\n\n\tmutex_lock(&d->lock);\n\told = rcu_dereference_protected(d->conf, lockdep_is_held(&d->lock));\n\trcu_assign_pointer(d->conf, NULL);\n\tmutex_unlock(&d->lock);\n\tkfree(old);");
const freeBeforeClear = fn("\tstruct conf *c = rcu_dereference_protected(d->conf, true);\n\n\tkfree(c);\n\trcu_assign_pointer(d->conf, NULL);");
const memberPut = fn("\tspin_lock(&d->slock);\n\tlist_del_rcu(&e->node);\n\tkref_put(&e->ctl->kref, ctl_release);\n\tspin_unlock(&d->slock);\n\tsynchronize_rcu();\n\tkfree(e);");

const plug = (put: string, lock = "rcu_read_lock();", unlock = "rcu_read_unlock();") => `struct plug { atomic_t ref; struct hlist_node node; struct rcu_head rcu; };

static struct plug *plug_get(struct disk *d, int zno)
{
	struct plug *p;

	${lock}
	hlist_for_each_entry_rcu(p, &d->hash[zno], node) {
		if (p->zno == zno && atomic_inc_not_zero(&p->ref))
			goto out;
	}
	p = NULL;
out:
	${unlock}
	return p;
}

static void plug_put(struct plug *p)
{
	if (atomic_dec_and_test(&p->ref))
		${put};
}
`;

const underMutex = (load: string) => fn(`\tstruct conf *c;\n\n\tmutex_lock(&d->lock);\n\tc = ${load};\n\tc->n++;\n\tmutex_unlock(&d->lock);`);

const spinHelper = (caller: string) => `${types}
static int conf_n(struct dev *d)
{
	int n;

	spin_lock(&d->slock);
	n = rcu_dereference(d->conf)->n;
	spin_unlock(&d->slock);
	return n;
}

int dev_n(struct dev *d)
{
${caller}
}
`;

const useAfter = (mid: string) => fn(`\tstruct conf *c;\n\tint n;\n\n\trcu_read_lock();\n\tc = rcu_dereference(d->conf);\n${mid}\trcu_read_unlock();\n\tn = c->n;`);

const walker = (caller: string) => `${types}
static int count(struct dev *d)
{
	struct ent *x;
	int n = 0;

	list_for_each_entry_rcu(x, &d->ents, node)
		n++;
	return n;
}

int dev_count(struct dev *d)
{
${caller}
}
`;

const walk = (body: string) => fn(`\tstruct ent *x;\n\n\trcu_read_lock();\n\tlist_for_each_entry_rcu(x, &d->ents, node) {\n\t\tif (!get_ent(x))\n\t\t\tcontinue;\n${body}\n\t}\n\trcu_read_unlock();`);

ruleTester("rcu-pointer-access", {
  valid: [
    { name: "list_del_rcu, synchronize_rcu, then kfree", code: fn("\tspin_lock(&d->slock);\n\tlist_del_rcu(&e->node);\n\tspin_unlock(&d->slock);\n\tsynchronize_rcu();\n\tkfree(e);") },
    { name: "list_del_rcu, then kfree_rcu", code: fn("\tspin_lock(&d->slock);\n\tlist_del_rcu(&e->node);\n\tspin_unlock(&d->slock);\n\tkfree_rcu(e, rcu);") },
    { name: "a pointer cleared, then a grace period, then the free", code: replaceThenFree.replace("\tkfree(old);", "\tsynchronize_rcu();\n\tkfree(old);") },
    { name: "a pointer cleared, then the free handed to call_rcu", code: replaceThenFree.replace("\tkfree(old);", "\tcall_rcu(&old->rcu, conf_free_rcu);") },
    { name: "cleared first, then a grace period, then the free", code: fn("\tstruct conf *c = rcu_dereference_protected(d->conf, true);\n\n\trcu_assign_pointer(d->conf, NULL);\n\tsynchronize_rcu();\n\tkfree(c);") },
    { name: "an object never published, freed when its insert failed", code: fn("\tstruct ent *n = kzalloc(sizeof(*n), GFP_KERNEL);\n\n\tif (!insert(d, n)) {\n\t\tkfree(n);\n\t\treturn;\n\t}") },
    { name: "an error ladder that unpublishes what the function itself published", code: fn("\tint err;\n\n\terr = xa_insert(&d->xa, e->id, e, GFP_KERNEL);\n\tif (err)\n\t\tgoto out_free;\n\terr = setup(e);\n\tif (err)\n\t\tgoto out_erase;\n\treturn 0;\n\nout_erase:\n\te = xa_erase(&d->xa, e->id);\nout_free:\n\tkfree(e);\n\treturn err;", "int f(struct dev *d, struct ent *e)") },
    { name: "released after the grace period", code: memberPut.replace("\tkref_put(&e->ctl->kref, ctl_release);\n", "").replace("\tkfree(e);", "\tkref_put(&e->ctl->kref, ctl_release);\n\tkfree(e);") },
    { name: "the last put frees after a grace period", code: plug("kfree_rcu(p, rcu)") },
    { name: "readers pin under a mutex, not under RCU: the put may free at once", code: plug("kfree(p)", "mutex_lock(&d->lock);", "mutex_unlock(&d->lock);") },
    { name: "rcu_dereference_protected() under the updaters' mutex", code: underMutex("rcu_dereference_protected(d->conf, lockdep_is_held(&d->lock))") },
    { name: "rcu_dereference() inside rcu_read_lock(), with the mutex held", code: fn("\tstruct conf *c;\n\n\tmutex_lock(&d->lock);\n\trcu_read_lock();\n\tc = rcu_dereference(d->conf);\n\tuse(c->n);\n\trcu_read_unlock();\n\tmutex_unlock(&d->lock);") },
    { name: "rcu_dereference() under a spinlock, called from inside rcu_read_lock()", code: spinHelper("\tint n;\n\n\trcu_read_lock();\n\tn = conf_n(d);\n\trcu_read_unlock();\n\treturn n;") },
    { name: "a reference taken inside the section, used after it", code: useAfter("\tif (!c || !conf_get(c)) {\n\t\trcu_read_unlock();\n\t\treturn;\n\t}\n") },
    { name: "a pointer used inside the section only", code: fn("\tstruct conf *c;\n\tint n = 0;\n\n\trcu_read_lock();\n\tc = rcu_dereference(d->conf);\n\tif (c)\n\t\tn = c->n;\n\trcu_read_unlock();\n\tuse(n);") },
    { name: "an RCU walk whose only caller holds rcu_read_lock()", code: walker("\tint n;\n\n\trcu_read_lock();\n\tn = count(d);\n\trcu_read_unlock();\n\treturn n;") },
    { name: "an RCU walk whose only caller holds the updaters' mutex", code: walker("\tint n;\n\n\tmutex_lock(&d->lock);\n\tn = count(d);\n\tmutex_unlock(&d->lock);\n\treturn n;") },
    { name: "a walk wholly inside one read-side section", code: walk("\t\tuse(x);\n\t\tput_ent(x);") },
    { name: "a walk that leaves its section only to stop", code: walk("\t\trcu_read_unlock();\n\t\tuse(x);\n\t\treturn;") },
    { name: "an __rcu pointer read with rcu_dereference()", code: fn("\tint n;\n\n\trcu_read_lock();\n\tn = rcu_dereference(d->conf)->n;\n\trcu_read_unlock();") },
    { name: "an __rcu pointer tested, cleared, and set in a fresh object", code: fn("\tstruct dev *n = kzalloc(sizeof(*n), GFP_KERNEL);\n\n\tif (!d->conf)\n\t\treturn;\n\td->conf = NULL;\n\tn->conf = conf_new();\n\tRCU_INIT_POINTER(n->conf, NULL);") },
  ],
  invalid: [
    { name: "list_del_rcu, then kfree with no grace period", code: delThenFree, errors: [{ line: lineOf(delThenFree, "kfree(e);"), messageId: "freedUnpublished" }] },
    { name: "erased from an xarray readers search under RCU, then freed at once", code: fn("\te = xa_erase(&d->xa, e->id);\n\tkfree(e);"), errors: [{ line: 13, messageId: "freedUnpublished" }] },
    { name: "a pointer cleared, then the old object freed at once", code: replaceThenFree, errors: [{ line: lineOf(replaceThenFree, "kfree(old);"), messageId: "freedUnpublished" }] },
    { name: "freed before the pointer to it is cleared", code: freeBeforeClear, errors: [{ line: lineOf(freeBeforeClear, "kfree(c);"), messageId: "freedPublished" }] },
    { name: "something the unpublished entry points to released before the grace period", code: memberPut, errors: [{ line: lineOf(memberPut, "kref_put("), messageId: "memberPut" }] },
    { name: "the last put frees at once while readers try-get under RCU", code: plug("kfree(p)"), errors: [{ line: lineOf(plug("kfree(p)"), "kfree(p)"), messageId: "lastPutFree" }] },
    { name: "rcu_dereference() under the updaters' mutex, outside any read-side section", code: underMutex("rcu_dereference(d->conf)"), errors: [{ line: lineOf(underMutex("rcu_dereference(d->conf)"), "c = rcu_dereference"), messageId: "protectedLoad" }] },
    { name: "rcu_dereference() under a spinlock, every caller outside rcu_read_lock()", code: spinHelper("\treturn conf_n(d);"), errors: [{ line: lineOf(spinHelper("\treturn conf_n(d);"), "n = rcu_dereference"), messageId: "protectedLoad" }] },
    { name: "a pointer read inside the section, dereferenced after it with no reference", code: useAfter(""), errors: [{ line: lineOf(useAfter(""), "n = c->n;"), messageId: "useAfterUnlock" }] },
    { name: "an RCU walk with nothing held, in it or in its caller", code: walker("\treturn count(d);"), errors: [{ line: lineOf(walker("\treturn count(d);"), "list_for_each_entry_rcu"), messageId: "walkOutside" }] },
    { name: "a walk that drops its section in the body and takes a new one", code: walk("\t\trcu_read_unlock();\n\t\tuse(x);\n\t\trcu_read_lock();\n\t\tput_ent(x);"), errors: [{ line: lineOf(walk("\t\trcu_read_unlock();\n\t\tuse(x);\n\t\trcu_read_lock();\n\t\tput_ent(x);"), "\t\trcu_read_lock();"), messageId: "walkResumed" }] },
    { name: "a walk that drops its section and goes on", code: walk("\t\trcu_read_unlock();\n\t\tuse(x);"), errors: [{ line: lineOf(walk("\t\trcu_read_unlock();\n\t\tuse(x);"), "\t\trcu_read_unlock();"), messageId: "walkLeaves" }] },
    { name: "an __rcu pointer dereferenced with a plain load", code: fn("\tint n;\n\n\trcu_read_lock();\n\tn = d->conf->n;\n\trcu_read_unlock();"), errors: [{ line: 15, messageId: "plainLoad" }] },
    { name: "an __rcu pointer stored with a plain assignment", code: fn("\tstruct conf *c = conf_new();\n\n\td->conf = c;"), errors: [{ line: 14, messageId: "plainStore" }] },
  ],
});

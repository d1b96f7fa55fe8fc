import { lineOf, ruleTester } from "../helpers/rule-tester.js";

const under = (inside: string, lock = "spin_lock(&d->lock);", unlock = "spin_unlock(&d->lock);") =>
  `void f(struct dev *d)\n{\n\t${lock}\n\t${inside}\n\t${unlock}\n}\n`;

const helper = `static void dev_wait(struct dev *d)
{
	msleep(10);
}

void dev_poll(struct dev *d)
{
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	dev_wait(d);
	spin_unlock_irqrestore(&d->lock, flags);
}
`;

ruleTester("sleep-in-atomic", {
  valid: [
    { name: "GFP_ATOMIC under a spinlock", code: under("p = kmalloc(sizeof(*p), GFP_ATOMIC);") },
    { name: "a mutex_trylock() under a spinlock does not sleep", code: under("if (mutex_trylock(&d->m)) mutex_unlock(&d->m);") },
    { name: "the sleep after the unlock", code: `void f(struct dev *d)\n{\n\tspin_lock(&d->lock);\n\td->n++;\n\tspin_unlock(&d->lock);\n\tmsleep(10);\n}\n` },
    { name: "a mutex inside a mutex", code: under("mutex_lock(&d->inner);", "mutex_lock(&d->outer);", "mutex_unlock(&d->outer);") },
    { name: "srcu read side may sleep", code: under("synchronize_rcu();", "idx = srcu_read_lock(&d->srcu);", "srcu_read_unlock(&d->srcu, idx);") },
    { name: "GFP_KERNEL after a scoped_guard", code: `void f(struct dev *d)\n{\n\tscoped_guard(spinlock, &d->lock)\n\t\td->n++;\n\tp = kzalloc(8, GFP_KERNEL);\n}\n` },
  ],
  invalid: [
    { name: "msleep under spin_lock_irqsave", code: under("msleep(10);", "spin_lock_irqsave(&d->lock, flags);", "spin_unlock_irqrestore(&d->lock, flags);"), errors: [{ line: 4, messageId: "sleeps" }] },
    { name: "mutex_lock under rcu_read_lock", code: under("mutex_lock(&d->m);", "rcu_read_lock();", "rcu_read_unlock();"), errors: [{ line: 4, messageId: "sleeps" }] },
    { name: "GFP_KERNEL handed to any call under a spinlock", code: under("xa_insert(&d->xa, id, p, GFP_KERNEL);"), errors: [{ line: 4, messageId: "gfp" }] },
    { name: "a sleep with interrupts off", code: under("usleep_range(10, 20);", "local_irq_save(flags);", "local_irq_restore(flags);"), errors: [{ line: 4, messageId: "context" }] },
    { name: "a sleep inside a guard(spinlock)", code: `void f(struct dev *d)\n{\n\tguard(spinlock)(&d->lock);\n\tmsleep(1);\n}\n`, errors: [{ line: 4, messageId: "sleeps" }] },
    { name: "a helper that sleeps, called under the lock: the helper is entered with it held", code: helper, errors: [{ line: lineOf(helper, "msleep(10);"), messageId: "sleeps", confidence: "medium" }] },
  ],
});

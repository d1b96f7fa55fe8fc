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

// Atomic context a function inherits from where it is registered.
const irqHandler = (register: string, handler = "dev_irq") => `static irqreturn_t dev_irq(int irq, void *data)
{
	struct dev *d = data;

	mutex_lock(&d->m);
	mutex_unlock(&d->m);
	return IRQ_HANDLED;
}

static irqreturn_t dev_thread(int irq, void *data)
{
	struct dev *d = data;

	msleep(1);
	return IRQ_HANDLED;
}

int dev_probe(struct dev *d)
{
	return ${register.replace("HANDLER", handler)};
}
`;

const chip = (slot: string) => `static void dev_irq_enable(struct irq_data *data)
{
	struct dev *d = irq_data_get_irq_chip_data(data);

	usb_kill_urb(d->urb);
}

static const struct irq_chip dev_chip = {
	.name = "dev",
	.${slot} = dev_irq_enable,
};
`;

const timer = `static void dev_flush(struct dev *d)
{
	cancel_work_sync(&d->work);
}

static void dev_timeout(struct timer_list *t)
{
	struct dev *d = from_timer(d, t, timer);

	dev_flush(d);
}

void dev_start(struct dev *d)
{
	timer_setup(&d->timer, dev_timeout, 0);
}
`;

// D015's shape: the patch puts a lock around a call that was there before.
const lockAround = (lock: string, unlock: string, call = "usb_ep_queue(ep, req, GFP_KERNEL);") => `--- a/drivers/usb/gadget/function/f_x.c
+++ b/drivers/usb/gadget/function/f_x.c
@@ -10,6 +10,9 @@ static int fsg_setup(struct usb_function *f)
 static int start_transfer(struct fsg_dev *fsg, struct usb_ep *ep, struct usb_request *req)
 {
 	int rc;
+	unsigned long flags;
 
+	${lock}
 	rc = ${call}
+	${unlock}
 	return rc;
 }
`;

ruleTester("sleep-in-atomic", {
  valid: [
    { name: "the thread function of a threaded interrupt may sleep", code: irqHandler("request_threaded_irq(d->irq, NULL, dev_thread, IRQF_ONESHOT, \"dev\", d)") },
    { name: "a handler that is not registered anywhere the patch shows", code: irqHandler("0") },
    { name: "the irq_chip slot that may sleep (irq_bus_lock)", code: chip("irq_bus_lock") },
    { name: "a lock around an unchanged call that does not sleep", diff: lockAround("spin_lock_irqsave(&fsg->lock, flags);", "spin_unlock_irqrestore(&fsg->lock, flags);", "usb_ep_queue(ep, req, GFP_ATOMIC);") },
    { name: "a mutex put around an unchanged sleeping call", diff: lockAround("mutex_lock(&fsg->m);", "mutex_unlock(&fsg->m);") },
  ],
  invalid: [
    { name: "a mutex in an interrupt handler", code: irqHandler("request_irq(d->irq, HANDLER, 0, \"dev\", d)"), errors: [{ line: 5, messageId: "inherited" }] },
    { name: "a mutex in the hard handler of a threaded interrupt", code: irqHandler("devm_request_threaded_irq(d->dev, d->irq, HANDLER, dev_thread, 0, \"dev\", d)"), errors: [{ line: 5, messageId: "inherited" }] },
    { name: "an irq_chip callback that waits for a USB transfer", code: chip("irq_enable"), errors: [{ line: 5, messageId: "inherited" }] },
    { name: "a timer callback's helper that waits for work", code: timer, errors: [{ line: lineOf(timer, "cancel_work_sync"), messageId: "inherited", confidence: "medium" }] },
    { name: "a spinlock put around an unchanged GFP_KERNEL call", diff: lockAround("spin_lock_irqsave(&fsg->lock, flags);", "spin_unlock_irqrestore(&fsg->lock, flags);"), errors: [{ line: 16, messageId: "nowUnder" }] },
  ],
});

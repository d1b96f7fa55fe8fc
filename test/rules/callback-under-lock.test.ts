/**
 * callback-under-lock, inline: each valid case has an invalid twin that
 * differs only in the fact the rule stands on (the lock is still held at the
 * call; the handler takes the held lock; a registration hands the ops in).
 */
import { ruleTester, lineOf } from "../helpers/rule-tester.js";

const holder = (body: string, reader = "mutex_lock(&h->lock);", unreader = "mutex_unlock(&h->lock);") => `struct hub_ops {
	int (*notify)(struct hub *h, int event);
};

struct hub {
	struct mutex lock;
	const struct hub_ops *holder_ops;
	void *holder;
};

void hub_set_holder(struct hub *h, void *holder, const struct hub_ops *ops)
{
	mutex_lock(&h->lock);
	h->holder = holder;
	h->holder_ops = ops;
	mutex_unlock(&h->lock);
}
EXPORT_SYMBOL_GPL(hub_set_holder);

int hub_notify(struct hub *h, int event)
{
	int rc = 0;

	${reader}
${body}
	${unreader}
	return rc;
}
EXPORT_SYMBOL_GPL(hub_notify);
`;

const underLock = holder(`	if (h->holder_ops)
		rc = h->holder_ops->notify(h, event);`);
const afterUnlock = holder(`	ops = h->holder_ops;`, "const struct hub_ops *ops;\n\n\tmutex_lock(&h->lock);", "mutex_unlock(&h->lock);\n\tif (ops)\n\t\trc = ops->notify(h, event);");
const underSrcu = holder(`	if (h->holder_ops)
		rc = h->holder_ops->notify(h, event);`, "int id = srcu_read_lock(&hub_srcu);", "srcu_read_unlock(&hub_srcu, id);");

const work = (cancel: string, handlerLock = "mutex_lock(&d->lock);", handlerUnlock = "mutex_unlock(&d->lock);") => `struct dev {
	struct mutex lock;
	struct work_struct event_work;
	int pending;
};

static void dev_event_work(struct work_struct *work)
{
	struct dev *d = container_of(work, struct dev, event_work);

	${handlerLock}
	d->pending = 0;
	${handlerUnlock}
}

static void dev_setup(struct dev *d)
{
	INIT_WORK(&d->event_work, dev_event_work);
}

static void dev_teardown(struct dev *d)
{
${cancel}
}
`;
const cancelUnder = work(`	mutex_lock(&d->lock);
	cancel_work_sync(&d->event_work);
	d->pending = 0;
	mutex_unlock(&d->lock);`);
const cancelOutside = work(`	cancel_work_sync(&d->event_work);
	mutex_lock(&d->lock);
	d->pending = 0;
	mutex_unlock(&d->lock);`);
const cancelOtherLock = work(`	mutex_lock(&d->lock);
	cancel_work_sync(&d->event_work);
	d->pending = 0;
	mutex_unlock(&d->lock);`, "spin_lock(&d->slock);", "spin_unlock(&d->slock);");

// Two command slots of one type embedded in the device: each with its own mutex, two locks (leapraid's driver_cmds).
const slots = (handlerSlot: string) => `struct cmd_slot {
	struct mutex mutex;
	int status;
};

struct dev {
	struct cmds {
		struct cmd_slot ctl;
		struct cmd_slot scsiio;
	} cmds;
	struct work_struct poll_work;
};

static void dev_poll_work(struct work_struct *work)
{
	struct dev *d = container_of(work, struct dev, poll_work);

	mutex_lock(&d->cmds.${handlerSlot}.mutex);
	d->cmds.${handlerSlot}.status = 0;
	mutex_unlock(&d->cmds.${handlerSlot}.mutex);
}

static void dev_setup(struct dev *d)
{
	INIT_WORK(&d->poll_work, dev_poll_work);
}

static void dev_stop(struct dev *d)
{
	mutex_lock(&d->cmds.ctl.mutex);
	cancel_work_sync(&d->poll_work);
	mutex_unlock(&d->cmds.ctl.mutex);
}
`;

// The handler named only by container_of (the INIT_DELAYED_WORK() elsewhere), as in ucsi.
const delayed = (lockAround: boolean) => `struct conn {
	struct mutex lock;
	struct list_head tasks;
};

struct conn_work {
	struct delayed_work work;
	struct list_head node;
	struct conn *con;
};

static void conn_poll_worker(struct work_struct *work)
{
	struct conn_work *uwork = container_of(work, struct conn_work, work.work);
	struct conn *con = uwork->con;

	mutex_lock(&con->lock);
	list_del(&uwork->node);
	mutex_unlock(&con->lock);
	kfree(uwork);
}

static void conn_destroy(struct conn *con)
{
	struct conn_work *uwork, *tmp;

${lockAround ? "\tmutex_lock(&con->lock);\n" : ""}	list_for_each_entry_safe(uwork, tmp, &con->tasks, node)
		cancel_delayed_work_sync(&uwork->work);
${lockAround ? "\tmutex_unlock(&con->lock);\n" : ""}}
`;

// A UDC giving a request back: the gadget driver's ->complete() may queue again through .queue.
const udc = (giveback: string) => `struct udc {
	spinlock_t lock;
};

struct udc_ep {
	struct usb_ep ep;
	struct udc *udc;
};

static int udc_ep_queue(struct usb_ep *ep, struct usb_request *req, gfp_t gfp)
{
	struct udc_ep *uep = container_of(ep, struct udc_ep, ep);
	struct udc *udc = uep->udc;
	unsigned long flags;

	spin_lock_irqsave(&udc->lock, flags);
	req->status = -EINPROGRESS;
	spin_unlock_irqrestore(&udc->lock, flags);
	return 0;
}

static const struct usb_ep_ops udc_ep_ops = {
	.queue = udc_ep_queue,
};

static void udc_done(struct udc *udc, struct udc_ep *uep, struct usb_request *req)
{
	unsigned long flags;

	spin_lock_irqsave(&udc->lock, flags);
	req->status = 0;
${giveback}
	spin_unlock_irqrestore(&udc->lock, flags);
}
`;
const completeUnder = udc(`	if (req->complete)
		req->complete(&uep->ep, req);`);
// The .queue replaced by a debugfs .read: the callback is handed nothing that reaches it.
const completeFileOp = completeUnder.replace("static int udc_ep_queue(struct usb_ep *ep, struct usb_request *req, gfp_t gfp)\n{\n\tstruct udc_ep *uep = container_of(ep, struct udc_ep, ep);\n\tstruct udc *udc = uep->udc;", "static int udc_ep_queue(struct file *file, char *buf, size_t len)\n{\n\tstruct udc *udc = file->private_data;");
const completeDropped = udc(`	if (req->complete) {
		spin_unlock(&udc->lock);
		req->complete(&uep->ep, req);
		spin_lock(&udc->lock);
	}`);

const dio = (endIo: string) => `static int fs_dio_end_io(struct kiocb *iocb, ssize_t size, unsigned int flags)
{
	struct inode *inode = file_inode(iocb->ki_filp);

	inode_lock(inode);
	i_size_write(inode, iocb->ki_pos + size);
	inode_unlock(inode);
	return 0;
}

static ssize_t fs_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	inode_lock(inode);
	ret = iomap_dio_rw(iocb, from, &fs_iomap_ops, ${endIo});
	inode_unlock(inode);
	return ret;
}
`;

ruleTester("callback-under-lock", {
  valid: [
    { name: "the holder callback called after the lock is dropped", code: afterUnlock },
    { name: "the holder callback under an SRCU read section, which nests", code: underSrcu },
    { name: "the work cancelled before the lock is taken", code: cancelOutside },
    { name: "the handler takes the other slot's mutex, of the same type in the same object", code: slots("scsiio") },
    { name: "the handler takes another lock than the one held", code: cancelOtherLock },
    { name: "the delayed work cancelled with no lock held", code: delayed(false) },
    { name: "the UDC drops its lock around ->complete()", code: completeDropped },
    { name: "no end_io handed to iomap_dio_rw()", code: dio("NULL") },
    { name: "an ops function the callback is handed no way to reach", code: completeFileOp },
  ],
  invalid: [
    { name: "the holder callback called under the lock the registration takes", code: underLock, errors: [{ line: lineOf(underLock, "->notify(h, event)"), messageId: "callback", confidence: "medium" }] },
    { name: "the handler takes the same slot's mutex", code: slots("ctl"), errors: [{ line: lineOf(slots("ctl"), "cancel_work_sync"), messageId: "wait", confidence: "high" }] },
    { name: "the work cancelled under the lock its handler takes", code: cancelUnder, errors: [{ line: lineOf(cancelUnder, "cancel_work_sync"), messageId: "wait", confidence: "high" }] },
    { name: "a delayed work named by container_of(), cancelled under its lock", code: delayed(true), errors: [{ line: lineOf(delayed(true), "cancel_delayed_work_sync"), messageId: "wait", confidence: "high" }] },
    { name: "the gadget's ->complete() called under the lock .queue takes", code: completeUnder, errors: [{ line: lineOf(completeUnder, "req->complete(&uep->ep"), messageId: "callback" }] },
    { name: "an end_io that takes i_rwsem handed to iomap_dio_rw() under it", code: dio("fs_dio_end_io"), errors: [{ line: lineOf(dio("fs_dio_end_io"), "iomap_dio_rw"), messageId: "handoff" }] },
  ],
});

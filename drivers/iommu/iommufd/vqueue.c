// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd vqueue: an in-kernel consumer of a guest vIOMMU's invalidation
 * queue.
 *
 * Without it every doorbell write of the guest and every poll of the
 * consumer register is an exit to the VMM. A vqueue lets the VMM keep its
 * emulated queue registers in ordinary memory and hand the queue itself to
 * the kernel: a worker thread, woken through an eventfd that whoever
 * emulates the doorbell signals, reads the producer register, fetches the
 * new entries from guest memory (an IOVA of the nesting parent's IOAS),
 * forwards invalidations to the nested HWPT's driver, completes syncs, and
 * publishes the consumer register. What the kernel cannot or must not do
 * (configuration commands, errors) stops the queue and goes to the VMM
 * through another eventfd; the VMM resumes it with IOMMU_VQUEUE_RESUME.
 *
 * Everything architectural (register encodings, command decode, legality,
 * translation) lives in the pure format code behind struct iommufd_vq_format.
 *
 * Lifetime: the vqueue holds a users reference on the nested HWPT, and its
 * access holds one on the parent IOAS, so neither can be destroyed under it.
 * The access is internal: it is not in the object table and holds no
 * reference on the iommufd file, otherwise the vqueue would keep its own
 * iommufd open forever. Destroying the vqueue first unhooks the doorbell
 * (after which no wake-up can reach the worker), then stops the worker, and
 * only then releases what the worker uses.
 *
 * Locking: vq->lock is a spinlock for the state the worker shares with the
 * ioctls. The worker takes it only to snapshot that state and to publish a
 * result, never across a guest memory access or a call into the driver.
 * Every change the ioctls make bumps vq->gen, and the worker publishes
 * nothing computed from an older generation, so a disable, a new base or a
 * resume takes effect at once without waiting for the worker.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"
#include "vqueue_format.h"

#define CREATE_TRACE_POINTS
#include "vqueue_trace.h"

/*
 * Entries one wake-up handles before the worker gives up the CPU. It also
 * sizes the fetch and batch buffers: one backend call per run at most.
 */
#define IOMMUFD_VQ_BUDGET	256
#define IOMMUFD_VQ_RAW_SIZE	(IOMMUFD_VQ_BUDGET * IOMMUFD_VQ_MAX_ENTRY_WORDS * \
				 sizeof(u64))

#define IOMMUFD_VQ_KICK		0

/*
 * What the worker finds, under RCU, for a guest ID in vq->sids: the ID it
 * stands for, an SMMUv3 physical StreamID or the object ID of the nested
 * HWPT a VT-d (DID, PASID) names.  Every binding starts with one.
 */
struct iommufd_vq_binding {
	struct rcu_head rcu;
	u32 target;
};

/* A vSID binding; @b.target is the device's physical StreamID */
struct iommufd_vq_sid {
	struct iommufd_vq_binding b;
	u32 dev_id;
};

/*
 * A VT-d (DID, PASID) binding; @b.target is the HWPT's object ID.  The
 * worker only reads that: @hwpt may be freed as soon as the binding is
 * removed.
 */
struct iommufd_vq_vdom {
	struct iommufd_vq_binding b;
	struct iommufd_hw_pagetable *hwpt;
};

struct iommufd_vqueue {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_access *access;
	const struct iommufd_vq_format *fmt;
	u32 format;
	u32 data_type;
	u32 flags;
	unsigned int max_log2;

	struct page *reg_page;
	void *reg_map;
	u32 *prod_reg;
	u32 *cons_reg;
	u32 *status_reg;

	struct eventfd_ctx *doorbell;
	wait_queue_entry_t doorbell_wait;
	bool doorbell_queued;
	struct eventfd_ctx *event;
	struct eventfd_ctx *irq;

	struct task_struct *task;
	unsigned long kick;

	/* Worker only: the entries as fetched, and the run to forward */
	void *raw;
	void *batch;
	u16 *batch_pos;
	u32 batch_target;

	/*
	 * vSID -> struct iommufd_vq_sid, or VT-d (DID, PASID) ->
	 * struct iommufd_vq_vdom; read under RCU, changed under mutex
	 */
	struct iommufd_vq_idmap idmap;
	struct xarray sids;
	struct mutex mutex; /* serialises ID table updates */

	spinlock_t lock; /* the fields below: worker against ioctls */
	struct iommufd_vq_geometry geo;
	u32 gen;
	u32 cons;
	u32 last_prod;
	bool enabled;
	bool stopped;
	u32 reason;
	u32 error;
	int err;
	u64 entry[IOMMUFD_VQ_MAX_ENTRY_WORDS];
	u64 consumed;
	u32 msi_errors;
};

/*
 * The formats the uAPI offers. A format whose completion interrupt latches
 * in a status register (irq_status) also needs that register in the uAPI.
 */
static const struct iommufd_vq_format *iommufd_vq_format_get(u32 format)
{
	switch (format) {
	case IOMMU_VQUEUE_FORMAT_SMMUV3_CMDQ:
		return &iommufd_vq_smmuv3_format;
	case IOMMU_VQUEUE_FORMAT_VTD_QI:
		return &iommufd_vq_vtd_format;
	default:
		return NULL;
	}
}

static void iommufd_vq_kick(struct iommufd_vqueue *vq)
{
	set_bit(IOMMUFD_VQ_KICK, &vq->kick);
	wake_up_process(vq->task);
}

/* The consumer register value without an error code in it */
static u32 iommufd_vq_strip_error(struct iommufd_vqueue *vq, u32 reg)
{
	return vq->fmt->cons_error ? vq->fmt->cons_error(reg, 0) : reg;
}

static int iommufd_vq_lookup(const struct iommufd_vq_idmap *map, u64 vid,
			     u32 *pid)
{
	struct iommufd_vqueue *vq = container_of(map, struct iommufd_vqueue,
						 idmap);
	struct iommufd_vq_binding *ent;
	int rc = -ENOENT;

	if (vid != (unsigned long)vid)
		return -ENOENT;
	rcu_read_lock();
	ent = xa_load(&vq->sids, vid);
	if (ent) {
		*pid = ent->target;
		rc = 0;
	}
	rcu_read_unlock();
	return rc;
}

/*
 * Make @cons the consumer index the guest sees, unless an ioctl changed the
 * queue since the worker took generation @gen.
 */
static bool iommufd_vq_publish(struct iommufd_vqueue *vq, u32 gen, u32 cons)
{
	bool ok;

	spin_lock(&vq->lock);
	ok = gen == vq->gen && vq->enabled && !vq->stopped;
	if (ok) {
		vq->consumed += vq->fmt->pending(&vq->geo, cons, vq->cons);
		vq->cons = cons;
		/* Whatever the consumed entries did happened before */
		smp_store_release(vq->cons_reg, cons);
	}
	spin_unlock(&vq->lock);
	if (ok)
		trace_iommufd_vqueue_publish(vq->obj.id, cons);
	return ok;
}

/* Stop on the entry at @cons and tell the VMM */
static void iommufd_vq_stop(struct iommufd_vqueue *vq, u32 gen, u32 cons,
			    u32 reason, unsigned int error,
			    const struct iommufd_vq_entry *e, int err)
{
	u32 reg = cons;

	spin_lock(&vq->lock);
	if (gen != vq->gen || !vq->enabled || vq->stopped) {
		spin_unlock(&vq->lock);
		return;
	}
	if (error && vq->fmt->cons_error)
		reg = vq->fmt->cons_error(cons, error);
	vq->consumed += vq->fmt->pending(&vq->geo, cons, vq->cons);
	vq->cons = cons;
	vq->stopped = true;
	vq->reason = reason;
	vq->error = error;
	vq->err = err;
	if (e)
		memcpy(vq->entry, e->words, sizeof(vq->entry));
	else
		memset(vq->entry, 0, sizeof(vq->entry));
	/* The error code is never visible without the index it belongs to */
	smp_store_release(vq->cons_reg, reg);
	spin_unlock(&vq->lock);

	trace_iommufd_vqueue_stop(vq->obj.id, cons, reason, error, err);
	eventfd_signal(vq->event);
}

/*
 * Hand the batched run to the nested domain it is for: the vqueue's own, or
 * one the format named (@target, an object ID). On a partial completion
 * the queue stops on the first entry the driver did not take, with the
 * format's illegal-command error: the driver refused a command this host
 * cannot perform, and exiting to the VMM would only have it issue the same
 * command through IOMMU_HWPT_INVALIDATE and fail the same way.
 */
static int iommufd_vq_flush(struct iommufd_vqueue *vq,
			    const struct iommufd_vq_geometry *geo, u32 gen,
			    u32 run, unsigned int nb)
{
	struct iommu_user_data_array array = {
		.type = vq->data_type,
		.kptr = vq->batch,
		.entry_len = vq->fmt->inv_size,
		.entry_num = nb,
		.is_kernel = true,
	};
	struct iommufd_hw_pagetable *hwpt = vq->hwpt;
	struct iommufd_object *obj = NULL;
	struct iommufd_vq_entry e;
	unsigned int k = 0;
	int rc;

	if (!nb)
		return 0;

	/*
	 * The ID may outlive its binding: a removal can race with this run.
	 * Then either the HWPT is gone and the lookup fails, or the ID now
	 * names another nested HWPT of this iommufd and the same driver, and
	 * an extra invalidation of the VMM's own domain is harmless.
	 */
	if (vq->batch_target) {
		obj = iommufd_get_object(vq->ictx, vq->batch_target,
					 IOMMUFD_OBJ_HWPT_NESTED);
		if (IS_ERR(obj)) {
			rc = PTR_ERR(obj);
			goto out_stop;
		}
		hwpt = container_of(obj, struct iommufd_hw_pagetable, obj);
		if (hwpt->domain->owner != vq->hwpt->domain->owner) {
			rc = -EINVAL;
			goto out_put;
		}
	}

	rc = hwpt->domain->ops->cache_invalidate_user(hwpt->domain, &array);
	if (!rc && array.entry_num == nb)
		goto out_put;
	if (!rc)
		rc = -EIO;
	k = min_t(unsigned int, array.entry_num, nb - 1);
out_put:
	if (obj)
		iommufd_put_object(vq->ictx, obj);
	if (!rc)
		return 0;
out_stop:
	/* Report the guest's own entry, not its translation */
	vq->fmt->decode(geo, vq->raw + vq->batch_pos[k] * geo->entry_size, &e);
	iommufd_vq_stop(vq, gen, vq->fmt->advance(geo, run, vq->batch_pos[k]),
			IOMMU_VQUEUE_STOP_ILLEGAL, vq->fmt->error_illegal, &e,
			rc);
	return rc;
}

/*
 * Record a completion interrupt in the status register (VT-d ICS.IWC) and
 * say whether it is a new interrupt condition. The VMM clears the bit with
 * an atomic operation of its own when the guest writes 1 to it, so this
 * must not lose that: a compare-and-exchange, never a plain store.
 */
static bool iommufd_vq_latch_irq(struct iommufd_vqueue *vq)
{
	u32 old = READ_ONCE(*vq->status_reg);
	bool signal;
	u32 new;

	do {
		new = vq->fmt->irq_status(old, &signal);
	} while (!try_cmpxchg(vq->status_reg, &old, new));
	return signal;
}

static void iommufd_vq_complete_sync(struct iommufd_vqueue *vq,
				     const struct iommufd_vq_entry *e)
{
	bool latched = !!vq->fmt->irq_status;
	struct iommufd_vq_sync s;
	bool write, irq;
	__le32 data;

	vq->fmt->sync(e, &s);

	/*
	 * A vIOMMU with MSIs signals completion with the MSI write alone;
	 * without them the completion interrupt is a wired one. A format
	 * whose interrupt latches in a status register (VT-d) has a status
	 * write and an interrupt that each entry asks for separately.
	 */
	if (latched) {
		write = s.flags & IOMMUFD_VQ_SYNC_WRITE;
		irq = s.flags & IOMMUFD_VQ_SYNC_IRQ;
	} else if (vq->flags & IOMMU_VQUEUE_ALLOC_MSI) {
		write = s.flags & IOMMUFD_VQ_SYNC_WRITE;
		irq = false;
	} else {
		write = false;
		irq = s.flags & IOMMUFD_VQ_SYNC_IRQ;
	}

	if (write) {
		data = cpu_to_le32(s.data);
		if (iommufd_access_rw(vq->access, s.addr, &data, sizeof(data),
				      IOMMUFD_ACCESS_RW_WRITE |
				      IOMMUFD_ACCESS_RW_KTHREAD)) {
			/* Like an MSI abort, this does not stop the queue */
			spin_lock(&vq->lock);
			vq->msi_errors++;
			spin_unlock(&vq->lock);
		}
	}
	/* After the write: the guest's handler may look for it */
	if (irq && latched && !iommufd_vq_latch_irq(vq))
		return;
	if (irq && vq->irq)
		eventfd_signal(vq->irq);
}

/*
 * Execute @n entries fetched into vq->raw, the first at consumer index
 * *@cons. Returns 0 with *@cons past them, or non-zero when the queue
 * stopped or the generation went stale.
 */
static int iommufd_vq_consume(struct iommufd_vqueue *vq,
			      const struct iommufd_vq_geometry *geo, u32 gen,
			      u32 *cons, u32 n)
{
	const struct iommufd_vq_format *fmt = vq->fmt;
	struct iommufd_vq_entry e;
	unsigned int nb = 0;
	u32 run = *cons;
	int rc, trc;
	u32 target;
	u32 i;

	for (i = 0; i < n; i++) {
		fmt->decode(geo, vq->raw + i * geo->entry_size, &e);

		switch (e.class) {
		case IOMMUFD_VQ_CLASS_NOP:
			break;
		case IOMMUFD_VQ_CLASS_INVALIDATE:
			trc = fmt->translate(&e, &vq->idmap,
					     vq->batch + nb * fmt->inv_size,
					     &target);
			if (!trc && nb && target != vq->batch_target) {
				/* One call per nested domain, in queue order */
				rc = iommufd_vq_flush(vq, geo, gen, run, nb);
				if (rc)
					return rc;
				memcpy(vq->batch, vq->batch + nb * fmt->inv_size,
				       fmt->inv_size);
				nb = 0;
			}
			if (!trc) {
				vq->batch_target = target;
				vq->batch_pos[nb++] = i;
				break;
			}
			/* Unknown guest ID: never forwarded */
			rc = iommufd_vq_flush(vq, geo, gen, run, nb);
			if (rc)
				return rc;
			iommufd_vq_stop(vq, gen, fmt->advance(geo, run, i),
					IOMMU_VQUEUE_STOP_ILLEGAL,
					vq->fmt->error_illegal, &e, trc);
			return trc;
		case IOMMUFD_VQ_CLASS_SYNC:
			rc = iommufd_vq_flush(vq, geo, gen, run, nb);
			if (rc)
				return rc;
			nb = 0;
			/* The guest must see the sync consumed before its signal */
			*cons = fmt->advance(geo, run, i + 1);
			if (!iommufd_vq_publish(vq, gen, *cons))
				return -ESTALE;
			iommufd_vq_complete_sync(vq, &e);
			break;
		case IOMMUFD_VQ_CLASS_EXIT:
			rc = iommufd_vq_flush(vq, geo, gen, run, nb);
			if (rc)
				return rc;
			iommufd_vq_stop(vq, gen, fmt->advance(geo, run, i),
					IOMMU_VQUEUE_STOP_EXIT, 0, &e, 0);
			return -EAGAIN;
		default:
			rc = iommufd_vq_flush(vq, geo, gen, run, nb);
			if (rc)
				return rc;
			iommufd_vq_stop(vq, gen, fmt->advance(geo, run, i),
					IOMMU_VQUEUE_STOP_ILLEGAL, e.error, &e,
					-EINVAL);
			return -EINVAL;
		}
	}

	rc = iommufd_vq_flush(vq, geo, gen, run, nb);
	if (rc)
		return rc;
	*cons = fmt->advance(geo, run, n);
	if (!iommufd_vq_publish(vq, gen, *cons))
		return -ESTALE;
	return 0;
}

/* One bounded pass over the queue; true if entries were left for later */
static bool iommufd_vq_run(struct iommufd_vqueue *vq)
{
	const struct iommufd_vq_format *fmt = vq->fmt;
	unsigned int budget = IOMMUFD_VQ_BUDGET;
	struct iommufd_vq_geometry geo;
	bool single = false;
	u32 prod, cons, gen;
	int rc;

	spin_lock(&vq->lock);
	if (!vq->enabled || vq->stopped) {
		spin_unlock(&vq->lock);
		return false;
	}
	geo = vq->geo;
	cons = vq->cons;
	gen = vq->gen;
	/* Pairs with the producer writing its entries before the register */
	prod = smp_load_acquire(vq->prod_reg);
	vq->last_prod = prod;
	spin_unlock(&vq->lock);
	trace_iommufd_vqueue_run(vq->obj.id, prod, cons);

	/*
	 * A producer index that cannot follow ours is an error for some
	 * formats, and consumes nothing until the next one for the others.
	 */
	if (!fmt->consistent(&geo, prod, cons)) {
		if (fmt->error_prod)
			iommufd_vq_stop(vq, gen, cons, IOMMU_VQUEUE_STOP_ILLEGAL,
					fmt->error_prod, NULL, -EINVAL);
		return false;
	}

	while (budget && !fmt->empty(&geo, prod, cons)) {
		u32 n = min(fmt->contig(&geo, prod, cons), budget);
		unsigned long iova = geo.base +
			(u64)fmt->index(&geo, cons) * geo.entry_size;

		if (single)
			n = 1;
		/*
		 * Each entry is copied exactly once and only this copy is
		 * looked at, whatever the guest writes meanwhile.
		 */
		rc = iommufd_access_rw(vq->access, iova, vq->raw,
				       n * geo.entry_size,
				       IOMMUFD_ACCESS_RW_READ |
				       IOMMUFD_ACCESS_RW_KTHREAD);
		if (rc && n > 1) {
			/* Find exactly which entry cannot be read */
			single = true;
			continue;
		}
		if (rc) {
			iommufd_vq_stop(vq, gen, cons, IOMMU_VQUEUE_STOP_ABORT,
					fmt->error_abort, NULL, rc);
			return false;
		}

		if (iommufd_vq_consume(vq, &geo, gen, &cons, n))
			return false;
		budget -= n;
	}
	return !budget && !fmt->empty(&geo, prod, cons);
}

static int iommufd_vq_thread(void *data)
{
	struct iommufd_vqueue *vq = data;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		if (!test_and_clear_bit(IOMMUFD_VQ_KICK, &vq->kick)) {
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);

		if (iommufd_vq_run(vq))
			set_bit(IOMMUFD_VQ_KICK, &vq->kick);
		cond_resched();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* Called with the eventfd's wait queue lock held, from eventfd_signal() */
static int iommufd_vq_doorbell_wakeup(wait_queue_entry_t *wait,
				      unsigned int mode, int sync, void *key)
{
	struct iommufd_vqueue *vq = container_of(wait, struct iommufd_vqueue,
						 doorbell_wait);
	u64 cnt;

	/*
	 * EPOLLHUP (the last file reference went away) needs nothing: the
	 * vqueue holds the eventfd context, so this entry stays valid until
	 * destroy removes it.
	 */
	if (key_to_poll(key) & EPOLLIN) {
		/* The count only says "look again"; keep it from saturating */
		eventfd_ctx_do_read(vq->doorbell, &cnt);
		trace_iommufd_vqueue_doorbell(vq->obj.id);
		iommufd_vq_kick(vq);
	}
	return 0;
}

struct iommufd_vq_poll {
	poll_table pt;
	struct iommufd_vqueue *vq;
};

static void iommufd_vq_poll_queue(struct file *file, wait_queue_head_t *wqh,
				  poll_table *pt)
{
	struct iommufd_vq_poll *p = container_of(pt, struct iommufd_vq_poll,
						 pt);

	add_wait_queue(wqh, &p->vq->doorbell_wait);
	p->vq->doorbell_queued = true;
}

static int iommufd_vq_doorbell_attach(struct iommufd_vqueue *vq, int fd)
{
	struct iommufd_vq_poll p = { .vq = vq };
	struct eventfd_ctx *ctx;
	struct fd f;
	__poll_t events;

	f = fdget(fd);
	if (!fd_file(f))
		return -EBADF;
	ctx = eventfd_ctx_fileget(fd_file(f));
	if (IS_ERR(ctx)) {
		fdput(f);
		return PTR_ERR(ctx);
	}
	vq->doorbell = ctx;

	init_waitqueue_func_entry(&vq->doorbell_wait,
				  iommufd_vq_doorbell_wakeup);
	init_poll_funcptr(&p.pt, iommufd_vq_poll_queue);
	events = vfs_poll(fd_file(f), &p.pt);
	fdput(f);
	if (!vq->doorbell_queued)
		return -EINVAL;
	/* A doorbell rung before the vqueue existed is not lost */
	if (events & EPOLLIN)
		iommufd_vq_kick(vq);
	return 0;
}

static int iommufd_vq_eventfd(int fd, bool optional, struct eventfd_ctx **ctx)
{
	if (optional && fd == -1) {
		*ctx = NULL;
		return 0;
	}
	if (fd < 0)
		return -EBADF;
	*ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(*ctx)) {
		int rc = PTR_ERR(*ctx);

		*ctx = NULL;
		return rc;
	}
	return 0;
}

static int iommufd_vq_check_regs(const struct iommufd_vq_format *fmt,
				 const struct iommu_vqueue_alloc *cmd)
{
	u64 off = offset_in_page(cmd->regs_uptr);
	u32 last = max(cmd->prod_offset, cmd->cons_offset);

	if (cmd->__reserved)
		return -EINVAL;
	if ((cmd->regs_uptr | cmd->prod_offset | cmd->cons_offset |
	     cmd->status_offset) & 3)
		return -EINVAL;
	if (cmd->prod_offset == cmd->cons_offset)
		return -EINVAL;
	if (fmt->irq_status) {
		if (cmd->status_offset == cmd->prod_offset ||
		    cmd->status_offset == cmd->cons_offset)
			return -EINVAL;
		last = max(last, cmd->status_offset);
	} else if (cmd->status_offset) {
		return -EINVAL;
	}
	if (off + last + sizeof(u32) > PAGE_SIZE)
		return -EINVAL;
	return 0;
}

static int iommufd_vq_pin_regs(struct iommufd_vqueue *vq,
			       const struct iommu_vqueue_alloc *cmd)
{
	unsigned long uaddr = (unsigned long)cmd->regs_uptr;
	unsigned int off = offset_in_page(uaddr);
	struct page *page;
	int rc;

	if (uaddr != cmd->regs_uptr)
		return -EINVAL;
	/*
	 * The registers are written by whoever emulates the guest's stores,
	 * at any time: keep the page in place for the whole life of the
	 * vqueue rather than fault it in from the worker.
	 */
	rc = pin_user_pages_fast(uaddr & PAGE_MASK, 1,
				 FOLL_WRITE | FOLL_LONGTERM, &page);
	if (rc != 1)
		return rc < 0 ? rc : -EFAULT;
	vq->reg_page = page;

	vq->reg_map = vmap(&vq->reg_page, 1, VM_MAP, PAGE_KERNEL);
	if (!vq->reg_map)
		return -ENOMEM;
	vq->prod_reg = vq->reg_map + off + cmd->prod_offset;
	vq->cons_reg = vq->reg_map + off + cmd->cons_offset;
	if (vq->fmt->irq_status)
		vq->status_reg = vq->reg_map + off + cmd->status_offset;
	return 0;
}

/* Probe, as IOMMU_HWPT_INVALIDATE documents, with an empty array */
static int iommufd_vq_probe_backend(struct iommufd_hw_pagetable *hwpt,
				    u32 data_type, unsigned int entry_size)
{
	struct iommu_user_data_array array = {
		.type = data_type,
		.entry_len = entry_size,
		.entry_num = 0,
		.is_kernel = true,
	};

	if (hwpt->domain->ops->cache_invalidate_user(hwpt->domain, &array))
		return -EOPNOTSUPP;
	return 0;
}

/*
 * The "unmap" of an access that pins nothing. Each pass reads the queue
 * through iommufd_access_rw(), which fails once the range is gone; the entry
 * at the consumer index then takes the format's abort error.
 */
static void iommufd_vq_unmap(void *data, unsigned long iova,
			     unsigned long length)
{
}

static const struct iommufd_access_ops iommufd_vq_access_ops = {
	.unmap = iommufd_vq_unmap,
};

static void iommufd_vq_vdom_put(struct iommufd_vq_vdom *ent)
{
	refcount_dec(&ent->hwpt->obj.users);
}

void iommufd_vqueue_destroy(struct iommufd_object *obj)
{
	struct iommufd_vqueue *vq =
		container_of(obj, struct iommufd_vqueue, obj);
	unsigned long index;
	void *ent;
	u64 cnt;

	/* Takes the wait queue lock: no wake-up is running or can start */
	if (vq->doorbell_queued)
		eventfd_ctx_remove_wait_queue(vq->doorbell, &vq->doorbell_wait,
					      &cnt);
	if (vq->doorbell)
		eventfd_ctx_put(vq->doorbell);
	if (vq->task)
		kthread_stop(vq->task);

	if (vq->access)
		iommufd_access_destroy_internal(vq->access);
	if (vq->hwpt)
		refcount_dec(&vq->hwpt->obj.users);
	if (vq->reg_map)
		vunmap(vq->reg_map);
	if (vq->reg_page)
		unpin_user_page(vq->reg_page);
	if (vq->event)
		eventfd_ctx_put(vq->event);
	if (vq->irq)
		eventfd_ctx_put(vq->irq);

	/* The worker is gone: no RCU reader is left */
	xa_for_each(&vq->sids, index, ent) {
		if (vq->format == IOMMU_VQUEUE_FORMAT_VTD_QI)
			iommufd_vq_vdom_put(ent);
		kfree(ent);
	}
	xa_destroy(&vq->sids);
	kfree(vq->batch_pos);
	kfree(vq->batch);
	kfree(vq->raw);
	mutex_destroy(&vq->mutex);
}

static struct iommufd_vqueue *iommufd_get_vqueue(struct iommufd_ucmd *ucmd,
						 u32 id)
{
	return container_of(iommufd_get_object(ucmd->ictx, id,
					       IOMMUFD_OBJ_VQUEUE),
			    struct iommufd_vqueue, obj);
}

int iommufd_vqueue_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vqueue_alloc *cmd = ucmd->cmd;
	const struct iommufd_vq_format *fmt;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_vq_geometry geo;
	struct iommufd_vqueue *vq;
	int rc;

	if (cmd->flags & ~(IOMMU_VQUEUE_ALLOC_MSI |
			   IOMMU_VQUEUE_ALLOC_DISABLED))
		return -EOPNOTSUPP;
	fmt = iommufd_vq_format_get(cmd->format);
	if (!fmt)
		return -EOPNOTSUPP;
	if (cmd->max_log2_entries > fmt->max_log2_entries)
		return -EINVAL;
	/* A latched completion interrupt comes with its own status write */
	if ((cmd->flags & IOMMU_VQUEUE_ALLOC_MSI) && fmt->irq_status)
		return -EINVAL;
	rc = iommufd_vq_check_regs(fmt, cmd);
	if (rc)
		return rc;
	rc = fmt->geometry(cmd->base, cmd->max_log2_entries, &geo);
	if (rc)
		return rc;

	hwpt = iommufd_get_hwpt_nested(ucmd, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	rc = iommufd_vq_probe_backend(hwpt, cmd->data_type, fmt->inv_size);
	if (rc)
		goto out_put_hwpt;

	vq = iommufd_object_alloc(ucmd->ictx, vq, IOMMUFD_OBJ_VQUEUE);
	if (IS_ERR(vq)) {
		rc = PTR_ERR(vq);
		goto out_put_hwpt;
	}
	vq->ictx = ucmd->ictx;
	vq->fmt = fmt;
	vq->format = cmd->format;
	vq->data_type = cmd->data_type;
	vq->flags = cmd->flags;
	vq->max_log2 = cmd->max_log2_entries;
	vq->geo = geo;
	vq->idmap.lookup = iommufd_vq_lookup;
	xa_init(&vq->sids);
	mutex_init(&vq->mutex);
	spin_lock_init(&vq->lock);

	/* Dropped by iommufd_vqueue_destroy(), also on the error path below */
	refcount_inc(&hwpt->obj.users);
	vq->hwpt = hwpt;

	rc = iommufd_vq_pin_regs(vq, cmd);
	if (rc)
		goto out_abort;
	rc = iommufd_vq_eventfd(cmd->event_fd, false, &vq->event);
	if (rc)
		goto out_abort;
	rc = iommufd_vq_eventfd(cmd->irq_fd, true, &vq->irq);
	if (rc)
		goto out_abort;

	vq->raw = kzalloc(IOMMUFD_VQ_RAW_SIZE, GFP_KERNEL_ACCOUNT);
	vq->batch = kcalloc(IOMMUFD_VQ_BUDGET, fmt->inv_size,
			    GFP_KERNEL_ACCOUNT);
	vq->batch_pos = kcalloc(IOMMUFD_VQ_BUDGET, sizeof(*vq->batch_pos),
				GFP_KERNEL_ACCOUNT);
	if (!vq->raw || !vq->batch || !vq->batch_pos) {
		rc = -ENOMEM;
		goto out_abort;
	}

	vq->access = iommufd_access_create_internal(ucmd->ictx,
						    &iommufd_vq_access_ops,
						    vq);
	if (IS_ERR(vq->access)) {
		rc = PTR_ERR(vq->access);
		vq->access = NULL;
		goto out_abort;
	}
	rc = iommufd_access_attach(vq->access,
				   to_hwpt_nested(hwpt)->parent->ioas->obj.id);
	if (rc)
		goto out_abort;

	if (!(cmd->flags & IOMMU_VQUEUE_ALLOC_DISABLED)) {
		vq->enabled = true;
		vq->cons = iommufd_vq_strip_error(vq, READ_ONCE(*vq->cons_reg));
	}

	vq->task = kthread_create(iommufd_vq_thread, vq, "iommufd-vq/%u",
				  vq->obj.id);
	if (IS_ERR(vq->task)) {
		rc = PTR_ERR(vq->task);
		vq->task = NULL;
		goto out_abort;
	}
	wake_up_process(vq->task);

	rc = iommufd_vq_doorbell_attach(vq, cmd->doorbell_fd);
	if (rc)
		goto out_abort;

	cmd->out_vqueue_id = vq->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, &vq->obj);
	iommufd_put_object(ucmd->ictx, &hwpt->obj);
	return 0;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &vq->obj);
out_put_hwpt:
	iommufd_put_object(ucmd->ictx, &hwpt->obj);
	return rc;
}

int iommufd_vqueue_modify_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vqueue_modify *cmd = ucmd->cmd;
	struct iommufd_vq_geometry geo = {};
	struct iommufd_vqueue *vq;
	bool kick = false;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->flags & ~(IOMMU_VQUEUE_MODIFY_DISABLE |
			   IOMMU_VQUEUE_MODIFY_BASE |
			   IOMMU_VQUEUE_MODIFY_ENABLE))
		return -EOPNOTSUPP;
	if ((cmd->flags & IOMMU_VQUEUE_MODIFY_DISABLE) &&
	    (cmd->flags & IOMMU_VQUEUE_MODIFY_ENABLE))
		return -EINVAL;

	vq = iommufd_get_vqueue(ucmd, cmd->vqueue_id);
	if (IS_ERR(vq))
		return PTR_ERR(vq);

	if (cmd->flags & IOMMU_VQUEUE_MODIFY_BASE) {
		rc = vq->fmt->geometry(cmd->base, vq->max_log2, &geo);
		if (rc)
			goto out_put;
	}

	spin_lock(&vq->lock);
	/* Like CMDQ_BASE, the base can only change while disabled */
	if ((cmd->flags & IOMMU_VQUEUE_MODIFY_BASE) &&
	    !(cmd->flags & IOMMU_VQUEUE_MODIFY_DISABLE) && vq->enabled) {
		rc = -EBUSY;
		goto out_unlock;
	}
	if (cmd->flags & IOMMU_VQUEUE_MODIFY_DISABLE)
		vq->enabled = false;
	if (cmd->flags & IOMMU_VQUEUE_MODIFY_BASE)
		vq->geo = geo;
	if ((cmd->flags & IOMMU_VQUEUE_MODIFY_ENABLE) && !vq->enabled) {
		/* The VMM owned the consumer register while disabled */
		vq->cons = iommufd_vq_strip_error(vq,
						  READ_ONCE(*vq->cons_reg));
		vq->enabled = true;
		kick = true;
	}
	vq->gen++;
out_unlock:
	spin_unlock(&vq->lock);
	if (kick)
		iommufd_vq_kick(vq);
out_put:
	iommufd_put_object(ucmd->ictx, &vq->obj);
	return rc;
}

static int iommufd_vq_dev_psid(struct device *dev, u32 *psid)
{
	struct iommu_fwspec *fwspec;

	if (iommufd_selftest_is_mock_dev(dev)) {
		*psid = iommufd_selftest_mock_dev_id(dev);
		return 0;
	}
	/* A device with several IDs would need the guest to name each */
	fwspec = dev_iommu_fwspec_get(dev);
	if (!fwspec || fwspec->num_ids != 1)
		return -EOPNOTSUPP;
	*psid = fwspec->ids[0];
	return 0;
}

static int iommufd_vq_bind_vsid(struct iommufd_ucmd *ucmd,
				struct iommufd_vqueue *vq, u32 vsid, u32 dev_id)
{
	struct iommufd_vq_sid *ent;
	struct iommufd_device *idev;
	unsigned long index;
	u32 psid;
	int rc;

	idev = iommufd_get_device(ucmd, dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	/* Only a device of the IOMMU instance type behind the nested HWPT */
	if (dev_iommu_ops(idev->dev) != vq->hwpt->domain->owner)
		rc = -EINVAL;
	else
		rc = iommufd_vq_dev_psid(idev->dev, &psid);
	iommufd_put_object(ucmd->ictx, &idev->obj);
	if (rc)
		return rc;

	lockdep_assert_held(&vq->mutex);
	xa_for_each(&vq->sids, index, ent)
		if (ent->dev_id == dev_id)
			return -EEXIST;

	ent = kzalloc(sizeof(*ent), GFP_KERNEL_ACCOUNT);
	if (!ent)
		return -ENOMEM;
	ent->dev_id = dev_id;
	ent->b.target = psid;
	rc = xa_insert(&vq->sids, vsid, ent, GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(ent);
		return rc == -EBUSY ? -EEXIST : rc;
	}
	return 0;
}

/*
 * Bind VT-d (DID, PASID) @vid to nested HWPT @hwpt_id. Only a stage 1 over
 * the same stage 2 as the vqueue's own: the guest must not reach a domain
 * of another IOAS, whatever DID it writes.
 */
static int iommufd_vq_bind_vdom(struct iommufd_ucmd *ucmd,
				struct iommufd_vqueue *vq, u64 vid, u32 hwpt_id)
{
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_vq_vdom *ent;
	int rc;

	lockdep_assert_held(&vq->mutex);
	/* The table is indexed by unsigned long */
	if (vid != (unsigned long)vid)
		return -EOPNOTSUPP;
	hwpt = iommufd_get_hwpt_nested(ucmd, hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	if (hwpt->domain->owner != vq->hwpt->domain->owner ||
	    to_hwpt_nested(hwpt)->parent->ioas !=
	    to_hwpt_nested(vq->hwpt)->parent->ioas) {
		rc = -EINVAL;
		goto out_put;
	}
	/* Fail here rather than stop the queue on the first forwarding */
	rc = iommufd_vq_probe_backend(hwpt, vq->data_type, vq->fmt->inv_size);
	if (rc)
		goto out_put;

	ent = kzalloc(sizeof(*ent), GFP_KERNEL_ACCOUNT);
	if (!ent) {
		rc = -ENOMEM;
		goto out_put;
	}
	ent->hwpt = hwpt;
	ent->b.target = hwpt_id;
	rc = xa_insert(&vq->sids, vid, ent, GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(ent);
		if (rc == -EBUSY)
			rc = -EEXIST;
		goto out_put;
	}
	/* Like the vqueue's own HWPT: not destroyed while bound */
	refcount_inc(&hwpt->obj.users);
out_put:
	iommufd_put_object(ucmd->ictx, &hwpt->obj);
	return rc;
}

static int iommufd_vq_unbind_vdom(struct iommufd_vqueue *vq, u64 vid,
				  u32 hwpt_id)
{
	struct iommufd_vq_vdom *ent;

	lockdep_assert_held(&vq->mutex);
	ent = xa_load(&vq->sids, vid);
	if (!ent)
		return -ENOENT;
	if (ent->b.target != hwpt_id)
		return -EINVAL;
	xa_erase(&vq->sids, vid);
	iommufd_vq_vdom_put(ent);
	/* The worker may be looking up the ID right now */
	kfree_rcu(ent, b.rcu);
	return 0;
}

int iommufd_vqueue_set_vsid_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vqueue_set_vsid *cmd = ucmd->cmd;
	bool vdom = cmd->flags & IOMMU_VQUEUE_VSID_HWPT;
	struct iommufd_vq_sid *ent;
	struct iommufd_vqueue *vq;
	bool vtd;
	int rc;

	if (cmd->flags & ~(IOMMU_VQUEUE_VSID_REMOVE | IOMMU_VQUEUE_VSID_HWPT))
		return -EOPNOTSUPP;
	if (cmd->vsid > (vdom ? IOMMUFD_VQ_VTD_ID(U16_MAX, BIT(20) - 1) :
				U32_MAX))
		return -EINVAL;

	vq = iommufd_get_vqueue(ucmd, cmd->vqueue_id);
	if (IS_ERR(vq))
		return PTR_ERR(vq);

	/* VT-d names domains, the others devices */
	vtd = vq->format == IOMMU_VQUEUE_FORMAT_VTD_QI;
	if (vdom != vtd) {
		rc = -EINVAL;
		goto out_put;
	}

	mutex_lock(&vq->mutex);
	if (vdom) {
		if (cmd->flags & IOMMU_VQUEUE_VSID_REMOVE)
			rc = iommufd_vq_unbind_vdom(vq, cmd->vsid, cmd->hwpt_id);
		else
			rc = iommufd_vq_bind_vdom(ucmd, vq, cmd->vsid,
						  cmd->hwpt_id);
		goto out_unlock;
	}
	if (!(cmd->flags & IOMMU_VQUEUE_VSID_REMOVE)) {
		rc = iommufd_vq_bind_vsid(ucmd, vq, cmd->vsid, cmd->dev_id);
		goto out_unlock;
	}

	ent = xa_load(&vq->sids, cmd->vsid);
	if (!ent) {
		rc = -ENOENT;
	} else if (ent->dev_id != cmd->dev_id) {
		rc = -EINVAL;
	} else {
		xa_erase(&vq->sids, cmd->vsid);
		/* The worker may be translating through it right now */
		kfree_rcu(ent, b.rcu);
		rc = 0;
	}
out_unlock:
	mutex_unlock(&vq->mutex);
out_put:
	iommufd_put_object(ucmd->ictx, &vq->obj);
	return rc;
}

int iommufd_vqueue_resume_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vqueue_resume *cmd = ucmd->cmd;
	struct iommufd_vqueue *vq;
	bool error_stop;
	u32 prod;
	int rc = 0;

	if (cmd->flags & ~IOMMU_VQUEUE_RESUME_RETRY)
		return -EOPNOTSUPP;

	vq = iommufd_get_vqueue(ucmd, cmd->vqueue_id);
	if (IS_ERR(vq))
		return PTR_ERR(vq);

	spin_lock(&vq->lock);
	error_stop = vq->reason == IOMMU_VQUEUE_STOP_ILLEGAL ||
		     vq->reason == IOMMU_VQUEUE_STOP_ABORT;
	prod = READ_ONCE(*vq->prod_reg);
	if (!vq->stopped ||
	    (error_stop && !(cmd->flags & IOMMU_VQUEUE_RESUME_RETRY)) ||
	    cmd->consumed > vq->fmt->pending(&vq->geo, prod, vq->cons)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	vq->cons = vq->fmt->advance(&vq->geo, vq->cons, cmd->consumed);
	vq->stopped = false;
	vq->gen++;
	/* A disabled queue's consumer register belongs to the VMM */
	if (vq->enabled) {
		/* Clears the error code, ordered after the state it reports */
		smp_store_release(vq->cons_reg, vq->cons);
	}
out_unlock:
	spin_unlock(&vq->lock);
	if (!rc)
		iommufd_vq_kick(vq);
	iommufd_put_object(ucmd->ictx, &vq->obj);
	return rc;
}

int iommufd_vqueue_get_state_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vqueue_get_state *cmd = ucmd->cmd;
	struct iommufd_vqueue *vq;
	int rc;

	if (cmd->flags || cmd->__reserved || cmd->__reserved2)
		return -EOPNOTSUPP;

	vq = iommufd_get_vqueue(ucmd, cmd->vqueue_id);
	if (IS_ERR(vq))
		return PTR_ERR(vq);

	spin_lock(&vq->lock);
	if (!vq->enabled)
		cmd->out_state = IOMMU_VQUEUE_STATE_DISABLED;
	else if (vq->stopped)
		cmd->out_state = IOMMU_VQUEUE_STATE_STOPPED;
	else
		cmd->out_state = IOMMU_VQUEUE_STATE_RUNNING;
	cmd->out_reason = vq->reason;
	cmd->out_error = vq->error;
	cmd->out_errno = vq->err;
	cmd->out_cons = vq->cons;
	if (vq->stopped && vq->error && vq->fmt->cons_error)
		cmd->out_cons = vq->fmt->cons_error(vq->cons, vq->error);
	cmd->out_prod = vq->last_prod;
	BUILD_BUG_ON(ARRAY_SIZE(cmd->out_entry) != ARRAY_SIZE(vq->entry));
	memcpy(cmd->out_entry, vq->entry, sizeof(cmd->out_entry));
	cmd->out_consumed = vq->consumed;
	cmd->out_msi_errors = vq->msi_errors;
	spin_unlock(&vq->lock);

	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	iommufd_put_object(ucmd->ictx, &vq->obj);
	return rc;
}

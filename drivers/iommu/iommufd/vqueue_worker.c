// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd vqueue passes: who runs them, and what one does.
 *
 * A pass reads the producer register from the VMM's register memory,
 * copies the new entries once from guest memory (at most two reads across
 * the ring wrap), forwards runs of invalidations to the nested domain's
 * driver, completes syncs and publishes the consumer register only after
 * the driver returned. An entry the kernel cannot or must not handle stops
 * the queue and signals the VMM.
 *
 * A doorbell rung by a task of the VMM queues the pass as task work on that
 * task: a vCPU thread that just emulated the guest's store to the producer
 * register runs it before it re-enters the guest, with no cross-CPU wake-up,
 * in the VMM's own address space and on the VMM's CPU time. Everything else
 * goes to the worker, a vhost_task of the VMM: it counts against the VMM's
 * cgroups and limits and shares its address space too.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/sched.h>
#include <linux/sched/vhost_task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>

#include "vqueue.h"

#define CREATE_TRACE_POINTS
#include "vqueue_trace.h"

#define IOMMUFD_VQUEUE_KICKED	0

/* Doorbells in a row from one task before it consumes them inline again */
#define IOMMUFD_VQUEUE_SOLO_RINGS	16

enum {
	IOMMUFD_VQUEUE_INLINE_IDLE,
	/* The inline pass is queued or running */
	IOMMUFD_VQUEUE_INLINE_OWNED,
	/* ... and the doorbell rang again meanwhile */
	IOMMUFD_VQUEUE_INLINE_RECHECK,
};

/* Have the worker look at the producer register again */
void iommufd_vqueue_kick(struct iommufd_vqueue *vqueue)
{
	set_bit(IOMMUFD_VQUEUE_KICKED, &vqueue->kick);
	vhost_task_wake(vqueue->worker);
}

/*
 * Make @cons the consumer index the guest sees, unless an ioctl changed the
 * queue since the pass took generation @gen.
 */
static bool iommufd_vqueue_publish(struct iommufd_vqueue *vqueue, u32 gen,
				   u32 cons)
{
	bool ok;

	spin_lock(&vqueue->lock);
	ok = gen == vqueue->gen && vqueue->enabled && !vqueue->stopped;
	if (ok) {
		vqueue->consumed += vqueue->format->pending(&vqueue->geo, cons,
							    vqueue->cons);
		vqueue->cons = cons;
		/* Whatever the consumed entries did happened before */
		smp_store_release(vqueue->cons_reg, cons);
	}
	spin_unlock(&vqueue->lock);
	if (ok)
		trace_iommufd_vqueue_publish(vqueue->obj.id, cons);
	return ok;
}

/*
 * Guest memory, through the vqueue's access, without ever waiting for a page
 * fault. Whoever resolves a fault in guest memory may take as long as it
 * likes (userfaultfd on a postcopy migration target, a slow file), a fault
 * taken in the kernel ends early only for SIGKILL, and the pass must not
 * hold up its vqueue's destruction, MODIFY or IOAS_UNMAP meanwhile. So
 * -EFAULT means "not without a fault" here, and the VMM gets the entry: its
 * own access takes the fault in a thread of its own.
 */
static int iommufd_vqueue_rw(struct iommufd_vqueue *vqueue, unsigned long iova,
			     void *data, size_t length, unsigned int flags)
{
	int rc;

	pagefault_disable();
	rc = iommufd_access_rw(vqueue->access, iova, data, length, flags);
	pagefault_enable();
	return rc;
}

/* Stop on the entry at @cons and tell the VMM */
static void iommufd_vqueue_stop(struct iommufd_vqueue *vqueue, u32 gen,
				u32 cons, u32 reason, unsigned int error_code,
				const struct iommufd_vqueue_entry *e,
				int stop_errno)
{
	const struct iommufd_vqueue_format *format = vqueue->format;
	u32 reg = cons;

	spin_lock(&vqueue->lock);
	if (gen != vqueue->gen || !vqueue->enabled || vqueue->stopped) {
		spin_unlock(&vqueue->lock);
		return;
	}
	if (error_code && format->cons_error)
		reg = format->cons_error(cons, error_code);
	vqueue->consumed += format->pending(&vqueue->geo, cons, vqueue->cons);
	vqueue->cons = cons;
	vqueue->stopped = true;
	vqueue->stop_reason = reason;
	vqueue->error_code = error_code;
	vqueue->stop_errno = stop_errno;
	if (e)
		memcpy(vqueue->stop_entry, e->words, sizeof(vqueue->stop_entry));
	else
		memset(vqueue->stop_entry, 0, sizeof(vqueue->stop_entry));
	/* The error code is never visible without the index it belongs to */
	smp_store_release(vqueue->cons_reg, reg);
	spin_unlock(&vqueue->lock);

	trace_iommufd_vqueue_stop(vqueue->obj.id, cons, reason, error_code,
				  stop_errno);
	eventfd_signal(vqueue->stop_eventfd);
}

/*
 * Hand the batched run to the nested domain it is for: the vqueue's own, or
 * one the format named (@target, an object ID). On a partial completion
 * the queue stops on the first entry the driver did not take, with the
 * format's illegal-command error: the driver refused a command this host
 * cannot perform, and exiting to the VMM would only have it issue the same
 * command through IOMMU_HWPT_INVALIDATE and fail the same way.
 *
 * @start is the consumer index of the first fetched entry; batch_pos[]
 * holds each batched entry's position from there.
 */
static int iommufd_vqueue_flush(struct iommufd_vqueue *vqueue,
				const struct iommufd_vqueue_geometry *geo,
				u32 gen, u32 start, unsigned int nr)
{
	const struct iommufd_vqueue_format *format = vqueue->format;
	struct iommu_user_data_array array = {
		.type = vqueue->data_type,
		.kptr = vqueue->batch,
		.entry_len = format->inv_size,
		.entry_num = nr,
		.is_kernel = true,
	};
	struct iommufd_hw_pagetable *hwpt = vqueue->hwpt;
	struct iommufd_object *obj = NULL;
	struct iommufd_vqueue_entry e;
	unsigned int done = 0;
	int rc;

	if (!nr)
		return 0;

	/*
	 * The ID may outlive its binding: a removal can race with this run.
	 * Then either the HWPT is gone and the lookup fails, or the ID now
	 * names another nested HWPT of this iommufd and the same driver, and
	 * an extra invalidation of the VMM's own domain is harmless.
	 */
	if (vqueue->batch_target) {
		obj = iommufd_get_object(vqueue->ictx, vqueue->batch_target,
					 IOMMUFD_OBJ_HWPT_NESTED);
		if (IS_ERR(obj)) {
			rc = PTR_ERR(obj);
			goto out_stop;
		}
		hwpt = container_of(obj, struct iommufd_hw_pagetable, obj);
		if (hwpt->domain->owner != vqueue->hwpt->domain->owner) {
			rc = -EINVAL;
			goto out_put;
		}
	}

	rc = hwpt->domain->ops->cache_invalidate_user(hwpt->domain, &array);
	if (!rc && array.entry_num == nr)
		goto out_put;
	if (!rc)
		rc = -EIO;
	done = min_t(unsigned int, array.entry_num, nr - 1);
out_put:
	if (obj)
		iommufd_put_object(vqueue->ictx, obj);
	if (!rc)
		return 0;
out_stop:
	/* Report the guest's own entry, not its translation */
	format->decode(geo, vqueue->fetched +
		       vqueue->batch_pos[done] * geo->entry_size, &e);
	iommufd_vqueue_stop(vqueue, gen,
			    format->advance(geo, start, vqueue->batch_pos[done]),
			    IOMMU_VQUEUE_STOP_ILLEGAL, format->error_illegal,
			    &e, rc);
	return rc;
}

/*
 * Record a completion interrupt in the status register (VT-d ICS.IWC) and
 * say whether it is a new interrupt condition. The VMM clears the bits with
 * an atomic operation of its own when the guest writes 1 to them: an atomic
 * OR neither loses that nor retries however often the VMM writes.
 */
static bool iommufd_vqueue_latch_irq(struct iommufd_vqueue *vqueue)
{
	u32 latch = vqueue->format->irq_latch;

	return !(atomic_fetch_or(latch, vqueue->status_reg) & latch);
}

/*
 * Signal the completion of sync @e, which is consumed: the consumer index is
 * @cons, just past it. Returns -EAGAIN if the queue stopped for the VMM to
 * complete it instead.
 */
static int iommufd_vqueue_complete_sync(struct iommufd_vqueue *vqueue, u32 gen,
					u32 cons,
					const struct iommufd_vqueue_entry *e)
{
	bool latched = vqueue->format->irq_latch;
	struct iommufd_vqueue_sync s;
	bool write, irq;
	__le32 data;
	int rc;

	vqueue->format->sync(e, &s);

	/*
	 * A vIOMMU with MSIs signals completion with the MSI write alone;
	 * without them the completion interrupt is a wired one. A format
	 * whose interrupt latches in a status register (VT-d) has a status
	 * write and an interrupt that each entry asks for separately.
	 */
	if (latched) {
		write = s.flags & IOMMUFD_VQUEUE_SYNC_WRITE;
		irq = s.flags & IOMMUFD_VQUEUE_SYNC_IRQ;
	} else if (vqueue->flags & IOMMU_VQUEUE_ALLOC_MSI) {
		write = s.flags & IOMMUFD_VQUEUE_SYNC_WRITE;
		irq = false;
	} else {
		write = false;
		irq = s.flags & IOMMUFD_VQUEUE_SYNC_IRQ;
	}

	if (write) {
		data = cpu_to_le32(s.data);
		rc = iommufd_vqueue_rw(vqueue, s.addr, &data, sizeof(data),
				       IOMMUFD_ACCESS_RW_WRITE);
		if (rc == -EFAULT) {
			/* The write and the interrupt after it are the VMM's */
			iommufd_vqueue_stop(vqueue, gen, cons,
					    IOMMU_VQUEUE_STOP_COMPLETION_FAULT,
					    0, e, rc);
			return -EAGAIN;
		}
		if (rc) {
			/* Like an MSI abort, this does not stop the queue */
			spin_lock(&vqueue->lock);
			vqueue->write_errors++;
			spin_unlock(&vqueue->lock);
		}
	}
	/* After the write: the guest's handler may look for it */
	if (irq && latched && !iommufd_vqueue_latch_irq(vqueue))
		return 0;
	if (irq && vqueue->irq_eventfd)
		eventfd_signal(vqueue->irq_eventfd);
	return 0;
}

/*
 * Forward the @batched entries before fetched entry @i, then stop on @i.
 * Returns @stop_errno, or the flush's error if that already stopped.
 */
static int iommufd_vqueue_stop_at(struct iommufd_vqueue *vqueue,
				  const struct iommufd_vqueue_geometry *geo,
				  u32 gen, u32 start, unsigned int batched,
				  u32 i, u32 reason, unsigned int error_code,
				  const struct iommufd_vqueue_entry *e,
				  int stop_errno)
{
	int rc;

	rc = iommufd_vqueue_flush(vqueue, geo, gen, start, batched);
	if (rc)
		return rc;
	iommufd_vqueue_stop(vqueue, gen, vqueue->format->advance(geo, start, i),
			    reason, error_code, e, stop_errno);
	return stop_errno;
}

/*
 * Execute @nr entries fetched into vqueue->fetched, the first at consumer
 * index *@cons. Returns 0 with *@cons past them, or non-zero when the queue
 * stopped or the generation went stale.
 */
static int iommufd_vqueue_consume(struct iommufd_vqueue *vqueue,
				  const struct iommufd_vqueue_geometry *geo,
				  u32 gen, u32 *cons, u32 nr)
{
	const struct iommufd_vqueue_format *format = vqueue->format;
	const struct iommufd_vqueue_vids *vids = &vqueue->vid_table.vids;
	unsigned int batched = 0;
	struct iommufd_vqueue_entry e;
	u32 start = *cons;
	int rc, trc;
	u32 target;
	u32 i;

	for (i = 0; i < nr; i++) {
		format->decode(geo, vqueue->fetched + i * geo->entry_size, &e);

		switch (e.class) {
		case IOMMUFD_VQUEUE_CLASS_NOP:
			break;
		case IOMMUFD_VQUEUE_CLASS_INVALIDATE:
			trc = format->translate(&e, vids, vqueue->batch +
						batched * format->inv_size,
						&target);
			if (!trc && batched && target != vqueue->batch_target) {
				/* One call per nested domain, in queue order */
				rc = iommufd_vqueue_flush(vqueue, geo, gen,
							  start, batched);
				if (rc)
					return rc;
				memcpy(vqueue->batch, vqueue->batch +
				       batched * format->inv_size,
				       format->inv_size);
				batched = 0;
			}
			if (!trc) {
				vqueue->batch_target = target;
				vqueue->batch_pos[batched++] = i;
				break;
			}
			/* Unknown guest ID: never forwarded */
			return iommufd_vqueue_stop_at(vqueue, geo, gen, start,
						      batched, i,
						      IOMMU_VQUEUE_STOP_ILLEGAL,
						      format->error_illegal, &e,
						      trc);
		case IOMMUFD_VQUEUE_CLASS_SYNC:
			rc = iommufd_vqueue_flush(vqueue, geo, gen, start,
						  batched);
			if (rc)
				return rc;
			batched = 0;
			/* The guest must see the sync consumed before its signal */
			*cons = format->advance(geo, start, i + 1);
			if (!iommufd_vqueue_publish(vqueue, gen, *cons))
				return -ESTALE;
			rc = iommufd_vqueue_complete_sync(vqueue, gen, *cons,
							  &e);
			if (rc)
				return rc;
			break;
		case IOMMUFD_VQUEUE_CLASS_EXIT:
			/* Stopped, with nothing wrong */
			return iommufd_vqueue_stop_at(vqueue, geo, gen, start,
						      batched, i,
						      IOMMU_VQUEUE_STOP_EXIT, 0,
						      &e, 0) ?: -EAGAIN;
		default:
			return iommufd_vqueue_stop_at(vqueue, geo, gen, start,
						      batched, i,
						      IOMMU_VQUEUE_STOP_ILLEGAL,
						      e.error, &e, -EINVAL);
		}
	}

	rc = iommufd_vqueue_flush(vqueue, geo, gen, start, batched);
	if (rc)
		return rc;
	*cons = format->advance(geo, start, nr);
	if (!iommufd_vqueue_publish(vqueue, gen, *cons))
		return -ESTALE;
	return 0;
}

/*
 * One pass over the queue, with pass_mutex held, of at most *@budget
 * entries, which it takes from *@budget. Returns true if entries were left
 * for the next one.
 */
static bool iommufd_vqueue_pass(struct iommufd_vqueue *vqueue,
				unsigned int *budget, bool inline_pass)
{
	const struct iommufd_vqueue_format *format = vqueue->format;
	struct iommufd_vqueue_geometry geo;
	bool single = false;
	u32 prod, cons, gen;
	int rc;

	lockdep_assert_held(&vqueue->pass_mutex);

	spin_lock(&vqueue->lock);
	if (!vqueue->enabled || vqueue->stopped) {
		spin_unlock(&vqueue->lock);
		return false;
	}
	if (inline_pass)
		vqueue->inline_passes++;
	else
		vqueue->worker_passes++;
	geo = vqueue->geo;
	cons = vqueue->cons;
	gen = vqueue->gen;
	/* Pairs with the producer writing its entries before the register */
	prod = smp_load_acquire(vqueue->prod_reg);
	vqueue->last_prod = prod;
	spin_unlock(&vqueue->lock);
	trace_iommufd_vqueue_pass(vqueue->obj.id, prod, cons);

	/*
	 * A producer index that cannot follow ours is an error for some
	 * formats, and consumes nothing until the next one for the others.
	 */
	if (!format->consistent(&geo, prod, cons)) {
		if (format->error_prod)
			iommufd_vqueue_stop(vqueue, gen, cons,
					    IOMMU_VQUEUE_STOP_ILLEGAL,
					    format->error_prod, NULL, -EINVAL);
		return false;
	}

	while (*budget && !format->empty(&geo, prod, cons)) {
		u32 nr = min(format->contig(&geo, prod, cons), *budget);
		unsigned long iova = geo.base +
			(u64)format->index(&geo, cons) * geo.entry_size;

		if (single)
			nr = 1;
		/*
		 * Each entry is copied exactly once and only this copy is
		 * looked at, whatever the guest writes meanwhile. Both the
		 * worker and an inline pass run in the VMM's address space,
		 * which is the one the IOAS maps in the usual case: a plain
		 * copy, no address space switch.
		 */
		rc = iommufd_vqueue_rw(vqueue, iova, vqueue->fetched,
				       nr * geo.entry_size,
				       IOMMUFD_ACCESS_RW_READ);
		if (rc && nr > 1) {
			/* Find exactly which entry cannot be read */
			single = true;
			continue;
		}
		if (rc == -EFAULT) {
			iommufd_vqueue_stop(vqueue, gen, cons,
					    IOMMU_VQUEUE_STOP_FETCH_FAULT, 0,
					    NULL, rc);
			return false;
		}
		if (rc) {
			iommufd_vqueue_stop(vqueue, gen, cons,
					    IOMMU_VQUEUE_STOP_ABORT,
					    format->error_abort, NULL, rc);
			return false;
		}

		if (iommufd_vqueue_consume(vqueue, &geo, gen, &cons, nr))
			return false;
		*budget -= nr;
	}
	return !*budget && !format->empty(&geo, prod, cons);
}

static bool iommufd_vqueue_worker_fn(void *data)
{
	struct iommufd_vqueue *vqueue = data;
	unsigned int budget = IOMMUFD_VQUEUE_BUDGET;
	bool more;

	/* vhost_task_fn() sleeps when this returns false */
	if (!test_and_clear_bit(IOMMUFD_VQUEUE_KICKED, &vqueue->kick))
		return false;
	__set_current_state(TASK_RUNNING);

	mutex_lock(&vqueue->pass_mutex);
	more = iommufd_vqueue_pass(vqueue, &budget, false);
	mutex_unlock(&vqueue->pass_mutex);
	if (more)
		set_bit(IOMMUFD_VQUEUE_KICKED, &vqueue->kick);
	cond_resched();
	return true;
}

/*
 * The VMM got SIGKILL and the worker exits with it. Its vCPUs are going
 * too; nothing consumes the queue until the vqueue is destroyed.
 */
static void iommufd_vqueue_worker_killed(void *data)
{
}

/*
 * The inline pass, as task work of a task of the VMM. It owns inline_state
 * until it sets it back to idle, which is the last it touches the vqueue:
 * iommufd_vqueue_inline_flush() waits for that.
 */
static void iommufd_vqueue_inline_fn(struct callback_head *work)
{
	struct iommufd_vqueue *vqueue =
		container_of(work, struct iommufd_vqueue, inline_work);
	unsigned int budget = IOMMUFD_VQUEUE_INLINE_BUDGET;
	bool handoff = false;

	for (;;) {
		if (!handoff) {
			/* A worker in a pass looks at the queue again after it */
			if (mutex_trylock(&vqueue->pass_mutex)) {
				handoff = iommufd_vqueue_pass(vqueue, &budget,
							      true);
				mutex_unlock(&vqueue->pass_mutex);
			} else {
				handoff = true;
			}
		}
		if (handoff)
			iommufd_vqueue_kick(vqueue);
		if (atomic_cmpxchg_release(&vqueue->inline_state,
					   IOMMUFD_VQUEUE_INLINE_OWNED,
					   IOMMUFD_VQUEUE_INLINE_IDLE) ==
		    IOMMUFD_VQUEUE_INLINE_OWNED)
			break;
		/* Rung again: the new entries may be past what we read */
		atomic_set(&vqueue->inline_state, IOMMUFD_VQUEUE_INLINE_OWNED);
	}
	/* Only the address: the vqueue may be gone once the waiter sees idle */
	wake_up_var(&vqueue->inline_state);
}

/*
 * From the doorbell's wake-up, in the ringing task: queue the inline pass on
 * it if it is a task of the VMM, or leave the work to the inline pass that
 * is already queued or running. Returns false if the worker must do it.
 */
static bool iommufd_vqueue_ring_inline(struct iommufd_vqueue *vqueue)
{
	int old;

	if (vqueue->flags & IOMMU_VQUEUE_ALLOC_WORKER_ONLY)
		return false;
	/* Its memory, its CPU time, and a task that gets back to us soon */
	if (current->mm != vqueue->mm ||
	    (current->flags & (PF_KTHREAD | PF_EXITING)))
		return false;
	/*
	 * Rung by more than one vCPU: a queue they share, as Linux's SMMUv3
	 * driver shares its one CMDQ. Its other producers wait until the
	 * ringing vCPU is back from the doorbell store, so a pass run there
	 * would stall them all, while the worker consumes as they go on. The
	 * queue is the worker's until one vCPU has rung it on its own for a
	 * while.
	 */
	if (vqueue->last_ringer != current->pid) {
		if (vqueue->last_ringer)
			vqueue->solo_rings = 0;
		vqueue->last_ringer = current->pid;
	}
	if (vqueue->solo_rings < IOMMUFD_VQUEUE_SOLO_RINGS) {
		vqueue->solo_rings++;
		return false;
	}

	old = atomic_cmpxchg(&vqueue->inline_state, IOMMUFD_VQUEUE_INLINE_IDLE,
			     IOMMUFD_VQUEUE_INLINE_OWNED);
	if (old == IOMMUFD_VQUEUE_INLINE_IDLE) {
		if (!task_work_add(current, &vqueue->inline_work, TWA_RESUME))
			return true;
		atomic_set(&vqueue->inline_state, IOMMUFD_VQUEUE_INLINE_IDLE);
		return false;
	}
	/* The owner reads the producer register again before it lets go */
	atomic_cmpxchg(&vqueue->inline_state, IOMMUFD_VQUEUE_INLINE_OWNED,
		       IOMMUFD_VQUEUE_INLINE_RECHECK);
	return true;
}

/**
 * iommufd_vqueue_inline_flush - Wait for a queued or running inline pass
 * @vqueue: vqueue whose doorbell is detached
 *
 * The task the pass is queued on runs it before it next enters the guest or
 * returns to userspace, which it does without waiting for anything of the
 * vqueue's.
 */
void iommufd_vqueue_inline_flush(struct iommufd_vqueue *vqueue)
{
	wait_var_event(&vqueue->inline_state,
		       atomic_read_acquire(&vqueue->inline_state) ==
		       IOMMUFD_VQUEUE_INLINE_IDLE);
}

int iommufd_vqueue_worker_start(struct iommufd_vqueue *vqueue)
{
	char name[TASK_COMM_LEN];
	struct vhost_task *worker;

	init_task_work(&vqueue->inline_work, iommufd_vqueue_inline_fn);
	atomic_set(&vqueue->inline_state, IOMMUFD_VQUEUE_INLINE_IDLE);
	/* Until a second task rings, the first one consumes inline */
	vqueue->solo_rings = IOMMUFD_VQUEUE_SOLO_RINGS;

	snprintf(name, sizeof(name), "iommufd-vq-%u", vqueue->obj.id);
	worker = vhost_task_create(iommufd_vqueue_worker_fn,
				   iommufd_vqueue_worker_killed, vqueue, name);
	if (IS_ERR(worker))
		return PTR_ERR(worker);
	vqueue->worker = worker;
	vhost_task_start(worker);
	return 0;
}

void iommufd_vqueue_worker_stop(struct iommufd_vqueue *vqueue)
{
	if (vqueue->worker)
		vhost_task_stop(vqueue->worker);
	vqueue->worker = NULL;
}

/**
 * iommufd_vqueue_ring - The vqueue's &iommufd_vqueue_doorbell.ring
 * @doorbell: &iommufd_vqueue.doorbell
 */
void iommufd_vqueue_ring(struct iommufd_vqueue_doorbell *doorbell)
{
	struct iommufd_vqueue *vqueue =
		container_of(doorbell, struct iommufd_vqueue, doorbell);

	trace_iommufd_vqueue_doorbell(vqueue->obj.id);
	if (!iommufd_vqueue_ring_inline(vqueue))
		iommufd_vqueue_kick(vqueue);
}

/* Called with the eventfd's wait queue lock held, from eventfd_signal() */
static int iommufd_vqueue_doorbell_wakeup(wait_queue_entry_t *wait,
					  unsigned int mode, int sync,
					  void *key)
{
	struct iommufd_vqueue_doorbell *doorbell =
		container_of(wait, struct iommufd_vqueue_doorbell, wait);
	u64 cnt;

	/*
	 * EPOLLHUP (the last file reference went away) needs nothing: the
	 * doorbell holds the eventfd context, so this entry stays valid until
	 * it is detached.
	 */
	if (key_to_poll(key) & EPOLLIN) {
		/* The count only says "look again"; keep it from saturating */
		eventfd_ctx_do_read(doorbell->ctx, &cnt);
		doorbell->ring(doorbell);
	}
	return 0;
}

static void iommufd_vqueue_doorbell_queue(struct file *file,
					  wait_queue_head_t *wqh,
					  poll_table *pt)
{
	struct iommufd_vqueue_doorbell *doorbell =
		container_of(pt, struct iommufd_vqueue_doorbell, pt);

	add_wait_queue(wqh, &doorbell->wait);
	doorbell->queued = true;
}

/**
 * iommufd_vqueue_doorbell_attach - Call @doorbell->ring on each signal of @fd
 * @doorbell: Doorbell with @ring set
 * @fd: An eventfd
 * @rung: Set if @fd was already signalled
 *
 * Return: 0, or a negative errno if @fd is not an eventfd.
 */
int iommufd_vqueue_doorbell_attach(struct iommufd_vqueue_doorbell *doorbell,
				   int fd, bool *rung)
{
	struct eventfd_ctx *ctx;
	__poll_t events;
	struct fd f;

	f = fdget(fd);
	if (!fd_file(f))
		return -EBADF;
	ctx = eventfd_ctx_fileget(fd_file(f));
	if (IS_ERR(ctx)) {
		fdput(f);
		return PTR_ERR(ctx);
	}
	doorbell->ctx = ctx;

	init_waitqueue_func_entry(&doorbell->wait,
				  iommufd_vqueue_doorbell_wakeup);
	init_poll_funcptr(&doorbell->pt, iommufd_vqueue_doorbell_queue);
	events = vfs_poll(fd_file(f), &doorbell->pt);
	fdput(f);
	if (!doorbell->queued)
		return -EINVAL;
	*rung = events & EPOLLIN;
	return 0;
}

/**
 * iommufd_vqueue_doorbell_detach - Undo iommufd_vqueue_doorbell_attach()
 * @doorbell: Doorbell, attached or not
 *
 * On return no call of @doorbell->ring is running or can start.
 */
void iommufd_vqueue_doorbell_detach(struct iommufd_vqueue_doorbell *doorbell)
{
	u64 cnt;

	/* Takes the wait queue lock, which the wake-up runs under */
	if (doorbell->queued)
		eventfd_ctx_remove_wait_queue(doorbell->ctx, &doorbell->wait,
					      &cnt);
	doorbell->queued = false;
	if (doorbell->ctx)
		eventfd_ctx_put(doorbell->ctx);
	doorbell->ctx = NULL;
}

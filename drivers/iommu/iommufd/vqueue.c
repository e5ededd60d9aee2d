// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd vqueue: an in-kernel consumer of a guest vIOMMU's invalidation
 * queue.
 *
 * Without it every doorbell write of the guest and every poll of the
 * consumer register is an exit to the VMM. A vqueue lets the VMM keep its
 * emulated queue registers in ordinary memory and hand the queue itself to
 * the kernel: a worker, woken through an eventfd that whoever emulates the
 * doorbell signals, reads the producer register, fetches the new entries
 * from guest memory (an IOVA of the nesting parent's IOAS), forwards
 * invalidations to the nested HWPT's driver, completes syncs, and publishes
 * the consumer register (vqueue_worker.c). What the kernel cannot or must
 * not do (configuration commands, errors) stops the queue and goes to the
 * VMM through another eventfd; the VMM resumes it with IOMMU_VQUEUE_RESUME.
 *
 * This file holds the object and its ioctls. Everything architectural
 * (register encodings, command decode, legality, translation) lives in the
 * pure format code behind struct iommufd_vqueue_format, the guest ID
 * bindings in vqueue_vid.c. Lifetime and locking rules: vqueue.h.
 */
#include <linux/eventfd.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <uapi/linux/iommufd.h>

#include "io_pagetable.h"
#include "vqueue.h"

/* The formats the uAPI offers */
static const struct iommufd_vqueue_format *iommufd_vqueue_format_get(u32 id)
{
	switch (id) {
	case IOMMU_VQUEUE_FORMAT_SMMUV3_CMDQ:
		return &iommufd_vqueue_smmuv3_format;
	case IOMMU_VQUEUE_FORMAT_VTD_QI:
		return &iommufd_vqueue_vtd_format;
	default:
		return NULL;
	}
}

static int iommufd_vqueue_eventfd(int fd, bool optional,
				  struct eventfd_ctx **ctx)
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

/*
 * A format whose completion interrupt latches in a status register (VT-d
 * ICS) needs that register too; the others must leave status_offset 0.
 */
static int iommufd_vqueue_check_regs(const struct iommufd_vqueue_format *format,
				     const struct iommu_vqueue_alloc *cmd)
{
	u64 off = offset_in_page(cmd->regs_uptr);
	u32 last = max(cmd->prod_offset, cmd->cons_offset);

	if ((cmd->regs_uptr | cmd->prod_offset | cmd->cons_offset |
	     cmd->status_offset) & 3)
		return -EINVAL;
	if (cmd->prod_offset == cmd->cons_offset)
		return -EINVAL;
	if (format->irq_latch) {
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

/*
 * The register page's pin counts like a page of an IOAS mapping: against
 * RLIMIT_MEMLOCK of the user or of the mm, as the iommufd's accounting mode
 * says, unless the VMM has CAP_IPC_LOCK, and in the mm's pinned_vm.
 */
static int iommufd_vqueue_account_pin(struct iommufd_vqueue *vqueue)
{
	unsigned long limit, cur;
	struct user_struct *user;
	int rc;

	/* As iopt_alloc_pages() and iopt_map_pages() decide it */
	if (capable(CAP_IPC_LOCK))
		vqueue->pin_account_mode = IOPT_PAGES_ACCOUNT_NONE;
	else if (vqueue->ictx->account_mode == IOPT_PAGES_ACCOUNT_MM)
		vqueue->pin_account_mode = IOPT_PAGES_ACCOUNT_MM;
	else
		vqueue->pin_account_mode = IOPT_PAGES_ACCOUNT_USER;

	switch (vqueue->pin_account_mode) {
	case IOPT_PAGES_ACCOUNT_MM:
		rc = account_locked_vm(vqueue->mm, 1, true);
		if (rc)
			return rc;
		break;
	case IOPT_PAGES_ACCOUNT_USER:
		user = get_uid(current_user());
		limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
		cur = atomic_long_read(&user->locked_vm);
		do {
			if (cur + 1 > limit) {
				free_uid(user);
				return -ENOMEM;
			}
		} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur,
						  cur + 1));
		vqueue->pin_user = user;
		break;
	}
	atomic64_inc(&vqueue->mm->pinned_vm);
	vqueue->pin_accounted = true;
	return 0;
}

static void iommufd_vqueue_unaccount_pin(struct iommufd_vqueue *vqueue)
{
	if (!vqueue->pin_accounted)
		return;
	switch (vqueue->pin_account_mode) {
	case IOPT_PAGES_ACCOUNT_MM:
		account_locked_vm(vqueue->mm, 1, false);
		break;
	case IOPT_PAGES_ACCOUNT_USER:
		atomic_long_dec(&vqueue->pin_user->locked_vm);
		free_uid(vqueue->pin_user);
		break;
	}
	atomic64_dec(&vqueue->mm->pinned_vm);
}

static int iommufd_vqueue_pin_regs(struct iommufd_vqueue *vqueue,
				   const struct iommu_vqueue_alloc *cmd)
{
	unsigned long uaddr = (unsigned long)cmd->regs_uptr;
	void *regs;
	int rc;

	if (uaddr != cmd->regs_uptr)
		return -EINVAL;
	rc = iommufd_vqueue_account_pin(vqueue);
	if (rc)
		return rc;
	/*
	 * The registers are written by whoever emulates the guest's stores,
	 * at any time: keep the page in place for the whole life of the
	 * vqueue rather than fault it in from the worker.
	 */
	rc = pin_user_pages_fast(uaddr & PAGE_MASK, 1,
				 FOLL_WRITE | FOLL_LONGTERM, &vqueue->reg_page);
	if (rc != 1) {
		vqueue->reg_page = NULL;
		return rc < 0 ? rc : -EFAULT;
	}

	vqueue->reg_map = vmap(&vqueue->reg_page, 1, VM_MAP, PAGE_KERNEL);
	if (!vqueue->reg_map)
		return -ENOMEM;
	regs = vqueue->reg_map + offset_in_page(uaddr);
	vqueue->prod_reg = regs + cmd->prod_offset;
	vqueue->cons_reg = regs + cmd->cons_offset;
	if (vqueue->format->irq_latch)
		vqueue->status_reg = regs + cmd->status_offset;
	return 0;
}

/**
 * iommufd_vqueue_probe_backend - Check that a HWPT takes a data type
 * @hwpt: Nested HWPT
 * @data_type: Invalidation data type
 * @entry_size: Size of one invalidation entry of @data_type
 *
 * Probes, as IOMMU_HWPT_INVALIDATE documents, with an empty array.
 *
 * Return: 0, or -EOPNOTSUPP if the driver refuses the data type.
 */
int iommufd_vqueue_probe_backend(struct iommufd_hw_pagetable *hwpt,
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
static void iommufd_vqueue_unmap(void *data, unsigned long iova,
				 unsigned long length)
{
#ifdef CONFIG_IOMMUFD_TEST
	struct iommufd_vqueue *vqueue = data;
	unsigned int delay_ms = xchg(&vqueue->test_unmap_delay_ms, 0);

	if (delay_ms)
		msleep(delay_ms);
#endif
}

#ifdef CONFIG_IOMMUFD_TEST
/*
 * Hold the next unmap notification for @delay_ms in the vqueue's access,
 * with the reference iommufd_access_notify_unmap() took on it: a window for
 * destroying the vqueue meanwhile. Only the next one: the destroy's own
 * detach notifies the access too, and must not sleep.
 */
int iommufd_vqueue_test_unmap_delay(struct iommufd_ucmd *ucmd, u32 vqueue_id,
				    unsigned int delay_ms)
{
	struct iommufd_vqueue *vqueue;

	if (delay_ms > MSEC_PER_SEC * 10)
		return -EINVAL;
	vqueue = iommufd_get_vqueue(ucmd, vqueue_id);
	if (IS_ERR(vqueue))
		return PTR_ERR(vqueue);
	WRITE_ONCE(vqueue->test_unmap_delay_ms, delay_ms);
	iommufd_put_object(ucmd->ictx, &vqueue->obj);
	return 0;
}
#endif

static const struct iommufd_access_ops iommufd_vqueue_access_ops = {
	.unmap = iommufd_vqueue_unmap,
};

void iommufd_vqueue_destroy(struct iommufd_object *obj)
{
	struct iommufd_vqueue *vqueue =
		container_of(obj, struct iommufd_vqueue, obj);

	iommufd_vqueue_doorbell_detach(&vqueue->doorbell);
	iommufd_vqueue_inline_flush(vqueue);
	iommufd_vqueue_worker_stop(vqueue);

	if (vqueue->access)
		iommufd_access_destroy_internal(vqueue->access);
	if (vqueue->hwpt)
		refcount_dec(&vqueue->hwpt->obj.users);
	if (vqueue->reg_map)
		vunmap(vqueue->reg_map);
	/* The worker stored the consumer register through the mapping */
	if (vqueue->reg_page)
		unpin_user_pages_dirty_lock(&vqueue->reg_page, 1, true);
	iommufd_vqueue_unaccount_pin(vqueue);
	if (vqueue->stop_eventfd)
		eventfd_ctx_put(vqueue->stop_eventfd);
	if (vqueue->irq_eventfd)
		eventfd_ctx_put(vqueue->irq_eventfd);

	iommufd_vqueue_vid_table_destroy(&vqueue->vid_table);
	if (vqueue->mm)
		mmdrop(vqueue->mm);
	kfree(vqueue->batch_pos);
	kfree(vqueue->batch);
	kfree(vqueue->fetched);
	mutex_destroy(&vqueue->pass_mutex);
	atomic_dec(&vqueue->ictx->nr_vqueues);
}

static int iommufd_vqueue_alloc_buffers(struct iommufd_vqueue *vqueue)
{
	vqueue->fetched = kcalloc(IOMMUFD_VQUEUE_BUDGET,
				  IOMMUFD_VQUEUE_MAX_ENTRY_WORDS * sizeof(u64),
				  GFP_KERNEL_ACCOUNT);
	vqueue->batch = kcalloc(IOMMUFD_VQUEUE_BUDGET,
				vqueue->format->inv_size, GFP_KERNEL_ACCOUNT);
	vqueue->batch_pos = kcalloc(IOMMUFD_VQUEUE_BUDGET,
				    sizeof(*vqueue->batch_pos),
				    GFP_KERNEL_ACCOUNT);
	if (!vqueue->fetched || !vqueue->batch || !vqueue->batch_pos)
		return -ENOMEM;
	return 0;
}

static int iommufd_vqueue_attach_access(struct iommufd_vqueue *vqueue)
{
	struct iommufd_access *access;

	access = iommufd_access_create_internal(vqueue->ictx,
						&iommufd_vqueue_access_ops,
						vqueue);
	if (IS_ERR(access))
		return PTR_ERR(access);
	vqueue->access = access;
	return iommufd_access_attach(access,
				     to_hwpt_nested(vqueue->hwpt)->parent->ioas->obj.id);
}

int iommufd_vqueue_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vqueue_alloc *cmd = ucmd->cmd;
	const struct iommufd_vqueue_format *format;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_vqueue_geometry geo;
	struct iommufd_vqueue *vqueue;
	bool rung;
	int rc;

	if (cmd->flags & ~(IOMMU_VQUEUE_ALLOC_MSI |
			   IOMMU_VQUEUE_ALLOC_DISABLED |
			   IOMMU_VQUEUE_ALLOC_WORKER_ONLY))
		return -EOPNOTSUPP;
	if (cmd->__reserved)
		return -EOPNOTSUPP;
	format = iommufd_vqueue_format_get(cmd->format);
	if (!format)
		return -EOPNOTSUPP;
	if (cmd->max_log2_entries > format->max_log2_entries)
		return -EINVAL;
	/* A latched completion interrupt comes with its own status write */
	if ((cmd->flags & IOMMU_VQUEUE_ALLOC_MSI) && format->irq_latch)
		return -EINVAL;
	rc = iommufd_vqueue_check_regs(format, cmd);
	if (rc)
		return rc;
	rc = format->geometry(cmd->base, cmd->max_log2_entries, &geo);
	if (rc)
		return rc;

	hwpt = iommufd_get_hwpt_nested(ucmd, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	rc = iommufd_vqueue_probe_backend(hwpt, cmd->data_type,
					  format->inv_size);
	if (rc)
		goto out_put_hwpt;

	vqueue = iommufd_object_alloc(ucmd->ictx, vqueue, IOMMUFD_OBJ_VQUEUE);
	if (IS_ERR(vqueue)) {
		rc = PTR_ERR(vqueue);
		goto out_put_hwpt;
	}
	vqueue->ictx = ucmd->ictx;
	vqueue->format = format;
	vqueue->data_type = cmd->data_type;
	vqueue->flags = cmd->flags;
	vqueue->max_log2_entries = cmd->max_log2_entries;
	vqueue->geo = geo;
	vqueue->doorbell.ring = iommufd_vqueue_ring;
	/* Doorbells rung by the VMM's own tasks are consumed inline */
	vqueue->mm = current->mm;
	mmgrab(vqueue->mm);
	iommufd_vqueue_vid_table_init(&vqueue->vid_table);
	mutex_init(&vqueue->pass_mutex);
	spin_lock_init(&vqueue->lock);

	/* Counted until iommufd_vqueue_destroy(), which the error paths call */
	if (atomic_inc_return(&vqueue->ictx->nr_vqueues) >
	    IOMMUFD_VQUEUE_MAX_PER_CTX) {
		rc = -ENOSPC;
		goto out_abort;
	}

	/* Dropped by iommufd_vqueue_destroy(), also on the error path below */
	refcount_inc(&hwpt->obj.users);
	vqueue->hwpt = hwpt;

	rc = iommufd_vqueue_pin_regs(vqueue, cmd);
	if (rc)
		goto out_abort;
	rc = iommufd_vqueue_eventfd(cmd->stop_fd, false, &vqueue->stop_eventfd);
	if (rc)
		goto out_abort;
	rc = iommufd_vqueue_eventfd(cmd->irq_fd, true, &vqueue->irq_eventfd);
	if (rc)
		goto out_abort;
	rc = iommufd_vqueue_alloc_buffers(vqueue);
	if (rc)
		goto out_abort;
	rc = iommufd_vqueue_attach_access(vqueue);
	if (rc)
		goto out_abort;

	if (!(cmd->flags & IOMMU_VQUEUE_ALLOC_DISABLED)) {
		vqueue->enabled = true;
		vqueue->cons = iommufd_vqueue_strip_error(vqueue,
							  READ_ONCE(*vqueue->cons_reg));
	}

	rc = iommufd_vqueue_worker_start(vqueue);
	if (rc)
		goto out_abort;
	rc = iommufd_vqueue_doorbell_attach(&vqueue->doorbell,
					    cmd->doorbell_fd, &rung);
	if (rc)
		goto out_abort;
	/* A doorbell rung before the vqueue existed is not lost */
	if (rung)
		iommufd_vqueue_kick(vqueue);

	cmd->out_vqueue_id = vqueue->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, &vqueue->obj);
	iommufd_put_object(ucmd->ictx, &hwpt->obj);
	return 0;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &vqueue->obj);
out_put_hwpt:
	iommufd_put_object(ucmd->ictx, &hwpt->obj);
	return rc;
}

int iommufd_vqueue_modify_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vqueue_modify *cmd = ucmd->cmd;
	struct iommufd_vqueue_geometry geo = {};
	struct iommufd_vqueue *vqueue;
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

	vqueue = iommufd_get_vqueue(ucmd, cmd->vqueue_id);
	if (IS_ERR(vqueue))
		return PTR_ERR(vqueue);

	if (cmd->flags & IOMMU_VQUEUE_MODIFY_BASE) {
		rc = vqueue->format->geometry(cmd->base,
					      vqueue->max_log2_entries, &geo);
		if (rc)
			goto out_put;
	}

	spin_lock(&vqueue->lock);
	/* Like CMDQ_BASE, the base can only change while disabled */
	if ((cmd->flags & IOMMU_VQUEUE_MODIFY_BASE) &&
	    !(cmd->flags & IOMMU_VQUEUE_MODIFY_DISABLE) && vqueue->enabled) {
		rc = -EBUSY;
		goto out_unlock;
	}
	if (cmd->flags & IOMMU_VQUEUE_MODIFY_DISABLE)
		vqueue->enabled = false;
	if (cmd->flags & IOMMU_VQUEUE_MODIFY_BASE)
		vqueue->geo = geo;
	if ((cmd->flags & IOMMU_VQUEUE_MODIFY_ENABLE) && !vqueue->enabled) {
		/* The VMM owned the consumer register while disabled */
		vqueue->cons = iommufd_vqueue_strip_error(vqueue,
							  READ_ONCE(*vqueue->cons_reg));
		vqueue->enabled = true;
		kick = true;
	}
	vqueue->gen++;
out_unlock:
	spin_unlock(&vqueue->lock);
	if (!rc && (cmd->flags & IOMMU_VQUEUE_MODIFY_DISABLE)) {
		/*
		 * A pass that started before the generation changed may still
		 * write a completion or signal the irq eventfd: wait for it.
		 */
		mutex_lock(&vqueue->pass_mutex);
		mutex_unlock(&vqueue->pass_mutex);
	}
	if (kick)
		iommufd_vqueue_kick(vqueue);
out_put:
	iommufd_put_object(ucmd->ictx, &vqueue->obj);
	return rc;
}

int iommufd_vqueue_resume_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vqueue_resume *cmd = ucmd->cmd;
	struct iommufd_vqueue *vqueue;
	bool error_stop;
	u32 prod;
	int rc = 0;

	if (cmd->flags & ~IOMMU_VQUEUE_RESUME_RETRY)
		return -EOPNOTSUPP;

	vqueue = iommufd_get_vqueue(ucmd, cmd->vqueue_id);
	if (IS_ERR(vqueue))
		return PTR_ERR(vqueue);

	spin_lock(&vqueue->lock);
	error_stop = vqueue->stop_reason == IOMMU_VQUEUE_STOP_ILLEGAL ||
		     vqueue->stop_reason == IOMMU_VQUEUE_STOP_ABORT;
	prod = READ_ONCE(*vqueue->prod_reg);
	if (!vqueue->stopped ||
	    (error_stop && !(cmd->flags & IOMMU_VQUEUE_RESUME_RETRY)) ||
	    cmd->consumed > vqueue->format->pending(&vqueue->geo, prod,
						    vqueue->cons)) {
		rc = -EINVAL;
		goto out_unlock;
	}
	vqueue->cons = vqueue->format->advance(&vqueue->geo, vqueue->cons,
					       cmd->consumed);
	vqueue->stopped = false;
	vqueue->gen++;
	/* A disabled queue's consumer register belongs to the VMM */
	if (vqueue->enabled) {
		/* Clears the error code, ordered after the state it reports */
		smp_store_release(vqueue->cons_reg, vqueue->cons);
	}
out_unlock:
	spin_unlock(&vqueue->lock);
	if (!rc)
		iommufd_vqueue_kick(vqueue);
	iommufd_put_object(ucmd->ictx, &vqueue->obj);
	return rc;
}

int iommufd_vqueue_get_state_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vqueue_get_state *cmd = ucmd->cmd;
	const struct iommufd_vqueue_format *format;
	struct iommufd_vqueue *vqueue;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;

	vqueue = iommufd_get_vqueue(ucmd, cmd->vqueue_id);
	if (IS_ERR(vqueue))
		return PTR_ERR(vqueue);
	format = vqueue->format;

	spin_lock(&vqueue->lock);
	if (!vqueue->enabled)
		cmd->out_state = IOMMU_VQUEUE_STATE_DISABLED;
	else if (vqueue->stopped)
		cmd->out_state = IOMMU_VQUEUE_STATE_STOPPED;
	else
		cmd->out_state = IOMMU_VQUEUE_STATE_RUNNING;
	cmd->out_stop_reason = vqueue->stop_reason;
	cmd->out_error_code = vqueue->error_code;
	cmd->out_errno = vqueue->stop_errno;
	cmd->out_cons = vqueue->cons;
	if (vqueue->stopped && vqueue->error_code && format->cons_error)
		cmd->out_cons = format->cons_error(vqueue->cons,
						   vqueue->error_code);
	cmd->out_prod = vqueue->last_prod;
	cmd->out_write_errors = vqueue->write_errors;
	cmd->out_consumed = vqueue->consumed;
	cmd->out_inline_passes = vqueue->inline_passes;
	cmd->out_worker_passes = vqueue->worker_passes;
	BUILD_BUG_ON(sizeof(cmd->out_entry) != sizeof(vqueue->stop_entry));
	memcpy(cmd->out_entry, vqueue->stop_entry, sizeof(cmd->out_entry));
	spin_unlock(&vqueue->lock);

	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	iommufd_put_object(ucmd->ictx, &vqueue->obj);
	return rc;
}

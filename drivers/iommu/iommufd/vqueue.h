/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iommufd vqueue internals, shared by the object (vqueue.c), its worker
 * (vqueue_worker.c) and its guest ID table (vqueue_vid.c).
 */
#ifndef __IOMMUFD_VQUEUE_H
#define __IOMMUFD_VQUEUE_H

#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "iommufd_private.h"
#include "vqueue_format.h"

#include <linux/types.h>

struct eventfd_ctx;
struct mm_struct;
struct user_struct;
struct vhost_task;

/*
 * Entries one pass handles before the worker gives up the CPU. It also
 * sizes the fetch and batch buffers: one backend call per run at most.
 */
#define IOMMUFD_VQUEUE_BUDGET		256
/*
 * Entries the ringing task consumes before it re-enters the guest; the rest
 * is the worker's. A Linux guest batches at most 64 commands and a sync.
 */
#define IOMMUFD_VQUEUE_INLINE_BUDGET	128
/*
 * vqueues per iommufd: each has a task of the VMM and pinned memory. A VM
 * has one queue per vIOMMU instance, and rarely more than a few of those.
 */
#define IOMMUFD_VQUEUE_MAX_PER_CTX	64

/**
 * struct iommufd_vqueue_doorbell - A wait entry on the doorbell eventfd
 * @ctx: The eventfd
 * @wait: Entry on the eventfd's wait queue
 * @pt: Poll table that adds @wait
 * @queued: @wait is on the wait queue
 * @ring: Called, in the signalling context under the eventfd's wait queue
 *	lock, for each signal
 *
 * Like vhost_poll: the doorbell's wake-up callback runs in whatever task
 * signalled the eventfd, often a vCPU that just emulated a store to the
 * producer register, so it only tells the worker to look again.
 */
struct iommufd_vqueue_doorbell {
	struct eventfd_ctx *ctx;
	wait_queue_entry_t wait;
	poll_table pt;
	bool queued;
	void (*ring)(struct iommufd_vqueue_doorbell *doorbell);
};

int iommufd_vqueue_doorbell_attach(struct iommufd_vqueue_doorbell *doorbell,
				   int fd, bool *rung);
void iommufd_vqueue_doorbell_detach(struct iommufd_vqueue_doorbell *doorbell);

/**
 * struct iommufd_vqueue_vid_table - The guest IDs bound to host objects
 * @vids: What the format's translate looks IDs up through
 * @xa: Key (from the format's vdevice_key or vdomain_key) to
 *	struct iommufd_vqueue_vid; read under RCU
 * @mutex: Serialises binding and unbinding
 */
struct iommufd_vqueue_vid_table {
	struct iommufd_vqueue_vids vids;
	struct xarray xa;
	struct mutex mutex; /* serialises binding and unbinding */
};

void iommufd_vqueue_vid_table_init(struct iommufd_vqueue_vid_table *table);
void iommufd_vqueue_vid_table_destroy(struct iommufd_vqueue_vid_table *table);

/*
 * Lifetime: the vqueue holds a users reference on the nested HWPT, and its
 * access holds one on the parent IOAS, so neither can be destroyed under it.
 * The access is internal: it is not in the object table and holds no
 * reference on the iommufd file, otherwise the vqueue would keep its own
 * iommufd open forever. Destroying the vqueue first detaches the doorbell
 * (after which no wake-up can reach the worker), then stops the worker, and
 * only then releases what the worker uses.
 *
 * Locking: @lock is a spinlock for the state the worker shares with the
 * ioctls. The worker takes it only to snapshot that state and to publish a
 * result, never across a guest memory access or a call into the driver.
 * Every change the ioctls make bumps @gen, and the worker publishes nothing
 * computed from an older generation, so a disable, a new base or a resume
 * takes effect at once. A disable additionally waits for the pass in
 * flight (@pass_mutex), so that nothing the pass does lands after it.
 *
 * Where a pass runs: in the task that rang the doorbell, when it is a task
 * of the VMM (a vCPU thread that emulated the store to the producer
 * register), through task work that runs before it re-enters the guest or
 * returns to userspace; otherwise, and for whatever that inline pass leaves,
 * in the worker, a task of the VMM too (vhost_task). Both take @pass_mutex,
 * so there is one pass at a time; a doorbell that finds the inline pass
 * queued or running leaves the work to it (@inline_state), and that pass
 * looks at the producer register again before it gives up ownership. A
 * queue that more than one task rings (@last_ringer, @solo_rings) is the
 * worker's: see iommufd_vqueue_ring_inline().
 */
struct iommufd_vqueue {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_access *access;
	const struct iommufd_vqueue_format *format;
	u32 data_type;
	u32 flags;
	unsigned int max_log2_entries;

	struct page *reg_page;
	/* How the register page's pin is accounted: as the iommufd's pages */
	u8 pin_account_mode;
	bool pin_accounted;
	struct user_struct *pin_user;
	void *reg_map;
	u32 *prod_reg;
	u32 *cons_reg;
	/* The VMM clears its bits with atomic operations of its own */
	atomic_t *status_reg;

	struct iommufd_vqueue_doorbell doorbell;
	struct eventfd_ctx *stop_eventfd;
	struct eventfd_ctx *irq_eventfd;

	struct vhost_task *worker;
	unsigned long kick;
	/* Held for a whole pass: one pass at a time, and DISABLE waits */
	struct mutex pass_mutex;

	/* The VMM: doorbells rung from its tasks are consumed inline */
	struct mm_struct *mm;
	struct callback_head inline_work;
	atomic_t inline_state;
	/*
	 * The task that rang the doorbell last (0 before the first ring) and
	 * how many doorbells in a row it rang; only the doorbell's wake-up
	 * touches them, under the eventfd's wait queue lock.
	 */
	pid_t last_ringer;
	unsigned int solo_rings;

	/* Pass only: the entries as fetched, and the run to forward */
	void *fetched;
	void *batch;
	u16 *batch_pos;
	u32 batch_target;

	struct iommufd_vqueue_vid_table vid_table;

	spinlock_t lock; /* the fields below: worker against ioctls */
	struct iommufd_vqueue_geometry geo;
	u32 gen;
	u32 cons;
	u32 last_prod;
	bool enabled;
	bool stopped;
	u32 stop_reason;
	u32 error_code;
	int stop_errno;
	u64 stop_entry[IOMMUFD_VQUEUE_MAX_ENTRY_WORDS];
	u64 consumed;
	u32 write_errors;
	u64 inline_passes;
	u64 worker_passes;
#ifdef CONFIG_IOMMUFD_TEST
	/* IOMMU_TEST_OP_VQUEUE_UNMAP_DELAY: for races with unmap */
	unsigned int test_unmap_delay_ms;
#endif
};

static inline struct iommufd_vqueue *
iommufd_get_vqueue(struct iommufd_ucmd *ucmd, u32 id)
{
	return container_of(iommufd_get_object(ucmd->ictx, id,
					       IOMMUFD_OBJ_VQUEUE),
			    struct iommufd_vqueue, obj);
}

/* The consumer register value without an error code in it */
static inline u32 iommufd_vqueue_strip_error(struct iommufd_vqueue *vqueue,
					     u32 reg)
{
	const struct iommufd_vqueue_format *format = vqueue->format;

	return format->cons_error ? format->cons_error(reg, 0) : reg;
}

int iommufd_vqueue_probe_backend(struct iommufd_hw_pagetable *hwpt,
				 u32 data_type, unsigned int entry_size);

int iommufd_vqueue_worker_start(struct iommufd_vqueue *vqueue);
void iommufd_vqueue_worker_stop(struct iommufd_vqueue *vqueue);
void iommufd_vqueue_inline_flush(struct iommufd_vqueue *vqueue);
void iommufd_vqueue_kick(struct iommufd_vqueue *vqueue);
void iommufd_vqueue_ring(struct iommufd_vqueue_doorbell *doorbell);

#endif /* __IOMMUFD_VQUEUE_H */

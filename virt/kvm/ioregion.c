// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM ioregion: a guest-physical MMIO window whose loads are served from, and
 * whose stores are written to, memory of the VMM, inside KVM and without an
 * exit to userspace, with an optional doorbell eventfd.
 *
 * A VMM keeps the register file of an emulated device in ordinary memory and
 * lets the guest poll and update a few hot registers through an ioregion; an
 * in-kernel consumer woken by the doorbell reads the same memory.  Accesses
 * the ioregion does not serve still exit as KVM_EXIT_MMIO, so the rest of the
 * device stays in userspace.
 */

#include <linux/eventfd.h>
#include <linux/kvm_host.h>
#include <linux/list.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <kvm/iodev.h>

#include "coalesced_mmio.h"
#include "ioregion.h"

#define KVM_IOREGION_MAX_SIZE	4096

/*
 * Guest addresses and backing addresses agree modulo this, so a naturally
 * aligned guest access of up to 8 bytes is naturally aligned in the backing
 * memory, which is what single-copy atomicity needs.
 */
#define KVM_IOREGION_ALIGN	8

struct ioregion {
	struct kvm_io_device dev;
	struct list_head list;
	struct kvm *kvm;
	gpa_t gpa;
	u64 size;
	void __user *hva;
	u64 doorbell_start;
	u64 doorbell_end;
	struct eventfd_ctx *doorbell;
};

union ioregion_val {
	u8 b;
	u16 w;
	u32 l;
	u64 q;
};

static struct ioregion *to_ioregion(struct kvm_io_device *dev)
{
	return container_of(dev, struct ioregion, dev);
}

/*
 * Only naturally aligned accesses of 1, 2, 4 or 8 bytes are served, each with
 * one user access of that width: a single instruction on the 64-bit hosts,
 * so a VMM thread or an in-kernel consumer reading the backing memory
 * concurrently never sees a torn value.  Anything else (a split or unaligned
 * access, or an 8-byte access where one instruction cannot move 8 bytes)
 * returns NULL and exits to userspace, which can decide what such an access
 * means for its device.
 */
static void __user *ioregion_hva(struct ioregion *r, gpa_t addr, int len)
{
	u64 off = addr - r->gpa;

	switch (len) {
	case 8:
		if (!IS_ENABLED(CONFIG_64BIT))
			return NULL;
		fallthrough;
	case 4:
	case 2:
	case 1:
		break;
	default:
		return NULL;
	}

	if (off >= r->size || len > r->size - off || !IS_ALIGNED(addr, len))
		return NULL;

	/*
	 * The backing address means something only in the mm that created
	 * the VM.  KVM_RUN can only be issued from there, but refuse rather
	 * than dereference the address in any other context.
	 */
	if (unlikely(current->mm != r->kvm->mm))
		return NULL;

	return r->hva + off;
}

static int ioregion_read(struct kvm_vcpu *vcpu, struct kvm_io_device *dev,
			 gpa_t addr, int len, void *val)
{
	struct ioregion *r = to_ioregion(dev);
	void __user *hva = ioregion_hva(r, addr, len);
	union ioregion_val v;
	int ret;

	if (!hva)
		return -EOPNOTSUPP;

	/* access_ok() was checked when the ioregion was assigned. */
	switch (len) {
	case 1:
		ret = __get_user(v.b, (u8 __user *)hva);
		break;
	case 2:
		ret = __get_user(v.w, (u16 __user *)hva);
		break;
	case 4:
		ret = __get_user(v.l, (u32 __user *)hva);
		break;
	default:
		ret = __get_user(v.q, (u64 __user *)hva);
		break;
	}

	/*
	 * The VMM unmapped the backing memory under the guest: hand the
	 * access to userspace rather than invent a value.
	 */
	if (ret)
		return -EOPNOTSUPP;

	memcpy(val, &v, len);
	++vcpu->stat.generic.ioregion_loads;
	return 0;
}

/*
 * A VMM that maps the backing memory into the guest with a read-only memslot
 * migrates it like any other guest memory, so a store through the ioregion
 * must show up in the dirty log of that memslot.  A memslot mapping some other
 * memory at this address was not changed by the store and is left alone.
 */
static void ioregion_mark_dirty(struct kvm_vcpu *vcpu, gpa_t addr,
				void __user *hva)
{
	gfn_t gfn = gpa_to_gfn(addr);
	struct kvm_memory_slot *slot = kvm_vcpu_gfn_to_memslot(vcpu, gfn);

	if (slot && __gfn_to_hva_memslot(slot, gfn) + offset_in_page(addr) ==
		    (unsigned long)hva)
		mark_page_dirty_in_slot(vcpu->kvm, slot, gfn);
}

static int ioregion_write(struct kvm_vcpu *vcpu, struct kvm_io_device *dev,
			  gpa_t addr, int len, const void *val)
{
	struct ioregion *r = to_ioregion(dev);
	void __user *hva = ioregion_hva(r, addr, len);
	union ioregion_val v;
	u64 off;
	int ret;

	if (!hva)
		return -EOPNOTSUPP;

	memcpy(&v, val, len);
	switch (len) {
	case 1:
		ret = __put_user(v.b, (u8 __user *)hva);
		break;
	case 2:
		ret = __put_user(v.w, (u16 __user *)hva);
		break;
	case 4:
		ret = __put_user(v.l, (u32 __user *)hva);
		break;
	default:
		ret = __put_user(v.q, (u64 __user *)hva);
		break;
	}

	/* As for loads: a store that cannot land is not silently dropped. */
	if (ret)
		return -EOPNOTSUPP;

	ioregion_mark_dirty(vcpu, addr, hva);
	++vcpu->stat.generic.ioregion_stores;

	off = addr - r->gpa;
	if (r->doorbell && off < r->doorbell_end &&
	    off + len > r->doorbell_start) {
		/*
		 * eventfd_signal() bumps the counter under the eventfd's lock,
		 * which orders the store above only for readers of that lock;
		 * poll() reads the counter locklessly.  Publish the stored
		 * value before the counter so that a consumer woken by poll()
		 * and issuing a read barrier sees it.
		 */
		smp_wmb();
		eventfd_signal(r->doorbell);
		++vcpu->stat.generic.ioregion_doorbells;
	}

	return 0;
}

/*
 * Called by kvm_io_bus_unregister_dev() once no vCPU can be inside the
 * callbacks any more, and by kvm_io_bus_destroy() when the VM dies.  Either
 * way the caller is the only one left to touch the list: it holds slots_lock,
 * or the VM has no users.
 */
static void ioregion_destructor(struct kvm_io_device *dev)
{
	struct ioregion *r = to_ioregion(dev);

	list_del(&r->list);
	if (r->doorbell)
		eventfd_ctx_put(r->doorbell);
	kfree(r);
}

static const struct kvm_io_device_ops ioregion_ops = {
	.read = ioregion_read,
	.write = ioregion_write,
	.destructor = ioregion_destructor,
};

/**
 * kvm_ioregion_overlaps() - check a guest-physical range against ioregions
 * @kvm: the VM, with its slots_lock held
 * @addr: first address of the range
 * @len: length of the range; 0 stands for the single byte at @addr
 *
 * Other users of the MMIO bus call this before registering a device, so that
 * no access can be claimed by both that device and an ioregion.
 *
 * Return: true if any ioregion of @kvm overlaps the range.
 */
bool kvm_ioregion_overlaps(struct kvm *kvm, gpa_t addr, u64 len)
{
	struct ioregion *r;

	lockdep_assert_held(&kvm->slots_lock);

	list_for_each_entry(r, &kvm->ioregions, list)
		if (kvm_io_ranges_overlap(r->gpa, r->size, addr, len))
			return true;

	return false;
}

static bool ioregion_collides(struct kvm *kvm, gpa_t addr, u64 len)
{
	struct kvm_coalesced_mmio_dev *zone;

	if (kvm_ioregion_overlaps(kvm, addr, len) ||
	    kvm_ioeventfd_overlaps(kvm, addr, len))
		return true;

	list_for_each_entry(zone, &kvm->coalesced_zones, list)
		if (!zone->zone.pio &&
		    kvm_io_ranges_overlap(zone->zone.addr, zone->zone.size,
					  addr, len))
			return true;

	return false;
}

/*
 * Everything about the backing memory that can be checked is checked here,
 * once, so that the guest's accesses need nothing but the user access.
 */
static int ioregion_check_args(struct kvm_ioregion *args)
{
	unsigned long uaddr = args->userspace_addr;
	void __user *hva = u64_to_user_ptr(args->userspace_addr);

	if (!args->size || args->size > KVM_IOREGION_MAX_SIZE ||
	    args->guest_phys_addr + args->size < args->guest_phys_addr)
		return -EINVAL;

	if (args->flags & KVM_IOREGION_DOORBELL) {
		if (!args->doorbell_size ||
		    args->doorbell_offset >= args->size ||
		    args->doorbell_size > args->size - args->doorbell_offset)
			return -EINVAL;
	} else if (args->doorbell_offset || args->doorbell_size ||
		   args->doorbell_fd) {
		return -EINVAL;
	}

	if (uaddr != args->userspace_addr ||
	    args->userspace_addr != untagged_addr(args->userspace_addr) ||
	    (uaddr - args->guest_phys_addr) % KVM_IOREGION_ALIGN)
		return -EINVAL;

	if (!access_ok(hva, args->size))
		return -EFAULT;

	/*
	 * Catch memory that is not mapped, or not writable, now rather than
	 * at the guest's first access, where the only way out is an exit to
	 * userspace.  The contents are left alone.
	 */
	if (fault_in_safe_writeable(hva, args->size))
		return -EFAULT;

	return 0;
}

static int ioregion_assign(struct kvm *kvm, struct kvm_ioregion *args)
{
	struct eventfd_ctx *doorbell = NULL;
	struct ioregion *r;
	int ret;

	ret = ioregion_check_args(args);
	if (ret)
		return ret;

	if (args->flags & KVM_IOREGION_DOORBELL) {
		doorbell = eventfd_ctx_fdget(args->doorbell_fd);
		if (IS_ERR(doorbell))
			return PTR_ERR(doorbell);
	}

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r) {
		ret = -ENOMEM;
		goto err_put;
	}

	kvm_iodevice_init(&r->dev, &ioregion_ops);
	INIT_LIST_HEAD(&r->list);
	r->kvm = kvm;
	r->gpa = args->guest_phys_addr;
	r->size = args->size;
	r->hva = u64_to_user_ptr(args->userspace_addr);
	r->doorbell_start = args->doorbell_offset;
	r->doorbell_end = args->doorbell_offset + args->doorbell_size;
	r->doorbell = doorbell;

	mutex_lock(&kvm->slots_lock);

	if (ioregion_collides(kvm, r->gpa, r->size)) {
		ret = -EEXIST;
		goto err_unlock;
	}

	ret = kvm_io_bus_register_dev(kvm, KVM_MMIO_BUS, r->gpa, r->size,
				      &r->dev);
	if (ret)
		goto err_unlock;

	list_add_tail(&r->list, &kvm->ioregions);
	mutex_unlock(&kvm->slots_lock);
	return 0;

err_unlock:
	mutex_unlock(&kvm->slots_lock);
	kfree(r);
err_put:
	if (doorbell)
		eventfd_ctx_put(doorbell);
	return ret;
}

static int ioregion_deassign(struct kvm *kvm, struct kvm_ioregion *args)
{
	void __user *hva = u64_to_user_ptr(args->userspace_addr);
	struct ioregion *r;
	int ret = -ENOENT;

	mutex_lock(&kvm->slots_lock);

	list_for_each_entry(r, &kvm->ioregions, list) {
		if (r->gpa != args->guest_phys_addr || r->size != args->size ||
		    r->hva != hva)
			continue;

		/*
		 * Waits for every vCPU to leave the bus, then frees @r through
		 * ioregion_destructor(); @r must not be touched afterwards.
		 * A failure to shrink the bus takes every device off it,
		 * this one included, so there is nothing left to undo.
		 */
		kvm_io_bus_unregister_dev(kvm, KVM_MMIO_BUS, &r->dev);
		ret = 0;
		break;
	}

	mutex_unlock(&kvm->slots_lock);
	return ret;
}

/**
 * kvm_vm_ioctl_set_ioregion() - assign or deassign an ioregion
 * @kvm: the VM; the caller runs in the mm that created it
 * @args: the ioctl argument, already copied from userspace
 *
 * Without %KVM_IOREGION_DEASSIGN, serve the window @args describes from its
 * backing memory, with a doorbell if %KVM_IOREGION_DOORBELL is set.  With
 * it, remove the window assigned with the same address, size and backing
 * memory; the doorbell fields, and %KVM_IOREGION_DOORBELL, are then ignored.
 *
 * Return: 0 on success, else a negative errno and nothing changed.
 */
int kvm_vm_ioctl_set_ioregion(struct kvm *kvm, struct kvm_ioregion *args)
{
	if ((args->flags & ~(KVM_IOREGION_DEASSIGN | KVM_IOREGION_DOORBELL)) ||
	    memchr_inv(args->pad, 0, sizeof(args->pad)))
		return -EINVAL;

	if (args->flags & KVM_IOREGION_DEASSIGN)
		return ioregion_deassign(kvm, args);

	return ioregion_assign(kvm, args);
}

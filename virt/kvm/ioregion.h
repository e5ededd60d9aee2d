/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __KVM_IOREGION_H__
#define __KVM_IOREGION_H__

#include <linux/kvm_host.h>

/*
 * Devices on one bus must not overlap: the bus offers an access to every
 * device whose range contains it, in no defined order, so two devices
 * claiming one address would each see a random share of the accesses.
 * A length of 0 (an ioeventfd that ignores the access size) still occupies
 * its address.
 */
static inline bool kvm_io_ranges_overlap(gpa_t a, u64 a_len, gpa_t b, u64 b_len)
{
	return a <= b + max(b_len, 1ULL) - 1 && b <= a + max(a_len, 1ULL) - 1;
}

#ifdef CONFIG_KVM_MMIO

static inline void kvm_ioregion_init(struct kvm *kvm)
{
	INIT_LIST_HEAD(&kvm->ioregions);
}

int kvm_vm_ioctl_set_ioregion(struct kvm *kvm, struct kvm_ioregion *args);
bool kvm_ioregion_overlaps(struct kvm *kvm, gpa_t addr, u64 len);
bool kvm_ioeventfd_overlaps(struct kvm *kvm, gpa_t addr, u64 len);

#else

static inline void kvm_ioregion_init(struct kvm *kvm)
{
}

static inline bool kvm_ioregion_overlaps(struct kvm *kvm, gpa_t addr, u64 len)
{
	return false;
}

#endif /* CONFIG_KVM_MMIO */

#endif /* __KVM_IOREGION_H__ */

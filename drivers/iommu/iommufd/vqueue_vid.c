// SPDX-License-Identifier: GPL-2.0-only
/*
 * iommufd vqueue guest ID table.
 *
 * A guest's commands name what they invalidate by its own IDs: a virtual
 * device ID (SMMUv3 StreamID) or a virtual domain (VT-d domain ID and
 * PASID). The VMM binds each ID it gave the guest to the host object it
 * stands for, and the format's translate looks them up here; an ID without
 * a binding is never forwarded. Which kind of ID a format's commands carry,
 * and how it is keyed, is the format's: its vdevice_key and vdomain_key.
 */
#include <linux/iommu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "vqueue.h"

/**
 * struct iommufd_vqueue_vid - One guest ID binding
 * @rcu: Frees it after the lookups that may still see it
 * @target: What translate rewrites the ID to: the device's physical ID, or
 *	the object ID of the nested HWPT
 * @obj_id: The device or HWPT object the VMM bound, for removal
 * @hwpt: A virtual domain's nested HWPT, held until removal; NULL for a
 *	virtual device
 */
struct iommufd_vqueue_vid {
	struct rcu_head rcu;
	u32 target;
	u32 obj_id;
	struct iommufd_hw_pagetable *hwpt;
};

static int iommufd_vqueue_vid_lookup(const struct iommufd_vqueue_vids *vids,
				     u64 key, u32 *target)
{
	struct iommufd_vqueue_vid_table *table =
		container_of(vids, struct iommufd_vqueue_vid_table, vids);
	struct iommufd_vqueue_vid *vid;
	int rc = -ENOENT;

	if (key != (unsigned long)key)
		return -ENOENT;
	rcu_read_lock();
	vid = xa_load(&table->xa, key);
	if (vid) {
		*target = vid->target;
		rc = 0;
	}
	rcu_read_unlock();
	return rc;
}

void iommufd_vqueue_vid_table_init(struct iommufd_vqueue_vid_table *table)
{
	table->vids.lookup = iommufd_vqueue_vid_lookup;
	xa_init(&table->xa);
	mutex_init(&table->mutex);
}

static void iommufd_vqueue_vid_free(struct iommufd_vqueue_vid *vid)
{
	if (vid->hwpt)
		refcount_dec(&vid->hwpt->obj.users);
	/* A pass may be translating through it right now */
	kfree_rcu(vid, rcu);
}

/* Only once no pass can run: the worker is stopped */
void iommufd_vqueue_vid_table_destroy(struct iommufd_vqueue_vid_table *table)
{
	struct iommufd_vqueue_vid *vid;
	unsigned long key;

	xa_for_each(&table->xa, key, vid)
		iommufd_vqueue_vid_free(vid);
	xa_destroy(&table->xa);
	mutex_destroy(&table->mutex);
}

static int iommufd_vqueue_vid_insert(struct iommufd_vqueue_vid_table *table,
				     u64 key, struct iommufd_vqueue_vid *vid)
{
	int rc;

	lockdep_assert_held(&table->mutex);
	/* The table is indexed by unsigned long */
	if (key != (unsigned long)key)
		return -EOPNOTSUPP;
	rc = xa_insert(&table->xa, key, vid, GFP_KERNEL_ACCOUNT);
	return rc == -EBUSY ? -EEXIST : rc;
}

static int iommufd_vqueue_vid_remove(struct iommufd_vqueue_vid_table *table,
				     u64 key, u32 obj_id)
{
	struct iommufd_vqueue_vid *vid;

	lockdep_assert_held(&table->mutex);
	if (key != (unsigned long)key)
		return -ENOENT;
	vid = xa_load(&table->xa, key);
	if (!vid)
		return -ENOENT;
	if (vid->obj_id != obj_id)
		return -EINVAL;
	xa_erase(&table->xa, key);
	iommufd_vqueue_vid_free(vid);
	return 0;
}

/*
 * The ID the host IOMMU's commands name @dev by: its only firmware ID (the
 * SMMUv3 StreamID of a device behind an SMMUv3), or a mock device's number.
 */
static int iommufd_vqueue_dev_phys_id(struct device *dev, u32 *phys_id)
{
	struct iommu_fwspec *fwspec;

	if (iommufd_selftest_is_mock_dev(dev)) {
		*phys_id = iommufd_selftest_mock_dev_id(dev);
		return 0;
	}
	/* A device with several IDs would need the guest to name each */
	fwspec = dev_iommu_fwspec_get(dev);
	if (!fwspec || fwspec->num_ids != 1)
		return -EOPNOTSUPP;
	*phys_id = fwspec->ids[0];
	return 0;
}

static int iommufd_vqueue_bind_vdevice(struct iommufd_ucmd *ucmd,
				       struct iommufd_vqueue *vqueue, u64 key,
				       u32 dev_id)
{
	struct iommufd_vqueue_vid_table *table = &vqueue->vid_table;
	struct iommufd_vqueue_vid *vid;
	struct iommufd_device *idev;
	unsigned long index;
	u32 phys_id;
	int rc;

	lockdep_assert_held(&table->mutex);
	idev = iommufd_get_device(ucmd, dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	/* Only a device behind the IOMMU driver of the nested HWPT */
	if (dev_iommu_ops(idev->dev) != vqueue->hwpt->domain->owner)
		rc = -EINVAL;
	else
		rc = iommufd_vqueue_dev_phys_id(idev->dev, &phys_id);
	iommufd_put_object(ucmd->ictx, &idev->obj);
	if (rc)
		return rc;

	xa_for_each(&table->xa, index, vid)
		if (vid->obj_id == dev_id)
			return -EEXIST;

	vid = kzalloc(sizeof(*vid), GFP_KERNEL_ACCOUNT);
	if (!vid)
		return -ENOMEM;
	vid->target = phys_id;
	vid->obj_id = dev_id;
	rc = iommufd_vqueue_vid_insert(table, key, vid);
	if (rc)
		kfree(vid);
	return rc;
}

/**
 * iommufd_vqueue_remove_device - Forget a device in every vqueue
 * @ictx: iommufd context of the device
 * @dev_id: Object ID of the device, which is being destroyed
 *
 * A virtual device ID stands for the device's physical ID, which may name
 * another VM's device once this one is unbound. Removes every binding of
 * the device and waits for a pass in flight, which may have translated a
 * command with one of them already, so that nothing names the device when
 * this returns.
 */
void iommufd_vqueue_remove_device(struct iommufd_ctx *ictx, u32 dev_id)
{
	struct iommufd_vqueue_vid *vid;
	struct iommufd_vqueue *vqueue;
	struct iommufd_object *obj;
	unsigned long index, key;
	bool removed;

	xa_for_each(&ictx->objects, index, obj) {
		/*
		 * Not one being destroyed: it stops before it frees its table,
		 * and an invalidation sent meanwhile is only an extra one.
		 */
		obj = iommufd_get_object(ictx, index, IOMMUFD_OBJ_VQUEUE);
		if (IS_ERR(obj))
			continue;
		vqueue = container_of(obj, struct iommufd_vqueue, obj);

		removed = false;
		mutex_lock(&vqueue->vid_table.mutex);
		xa_for_each(&vqueue->vid_table.xa, key, vid) {
			if (vid->hwpt || vid->obj_id != dev_id)
				continue;
			xa_erase(&vqueue->vid_table.xa, key);
			iommufd_vqueue_vid_free(vid);
			removed = true;
		}
		mutex_unlock(&vqueue->vid_table.mutex);
		if (removed) {
			mutex_lock(&vqueue->pass_mutex);
			mutex_unlock(&vqueue->pass_mutex);
		}
		iommufd_put_object(ictx, obj);
	}
}

int iommufd_vqueue_set_vdevice_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vqueue_set_vdevice *cmd = ucmd->cmd;
	struct iommufd_vqueue *vqueue;
	u64 key;
	int rc;

	if (cmd->flags & ~IOMMU_VQUEUE_SET_VDEVICE_REMOVE)
		return -EOPNOTSUPP;

	vqueue = iommufd_get_vqueue(ucmd, cmd->vqueue_id);
	if (IS_ERR(vqueue))
		return PTR_ERR(vqueue);

	/* Only for a format whose commands name devices */
	if (!vqueue->format->vdevice_key) {
		rc = -EINVAL;
		goto out_put;
	}
	rc = vqueue->format->vdevice_key(cmd->virt_id, &key);
	if (rc)
		goto out_put;

	mutex_lock(&vqueue->vid_table.mutex);
	if (cmd->flags & IOMMU_VQUEUE_SET_VDEVICE_REMOVE)
		rc = iommufd_vqueue_vid_remove(&vqueue->vid_table, key,
					       cmd->dev_id);
	else
		rc = iommufd_vqueue_bind_vdevice(ucmd, vqueue, key,
						 cmd->dev_id);
	mutex_unlock(&vqueue->vid_table.mutex);
out_put:
	iommufd_put_object(ucmd->ictx, &vqueue->obj);
	return rc;
}

/*
 * Only a stage 1 over the same stage 2 as the vqueue's own: whatever domain
 * ID the guest writes, it must not reach a domain of another IOAS.
 */
static int iommufd_vqueue_bind_vdomain(struct iommufd_ucmd *ucmd,
				       struct iommufd_vqueue *vqueue, u64 key,
				       u32 hwpt_id)
{
	struct iommufd_vqueue_vid_table *table = &vqueue->vid_table;
	struct iommufd_hw_pagetable *hwpt;
	struct iommufd_vqueue_vid *vid;
	int rc;

	lockdep_assert_held(&table->mutex);
	hwpt = iommufd_get_hwpt_nested(ucmd, hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	if (hwpt->domain->owner != vqueue->hwpt->domain->owner ||
	    to_hwpt_nested(hwpt)->parent->ioas !=
	    to_hwpt_nested(vqueue->hwpt)->parent->ioas) {
		rc = -EINVAL;
		goto out_put;
	}
	/* Fail here rather than stop the queue on the first forwarding */
	rc = iommufd_vqueue_probe_backend(hwpt, vqueue->data_type,
					  vqueue->format->inv_size);
	if (rc)
		goto out_put;

	vid = kzalloc(sizeof(*vid), GFP_KERNEL_ACCOUNT);
	if (!vid) {
		rc = -ENOMEM;
		goto out_put;
	}
	vid->target = hwpt_id;
	vid->obj_id = hwpt_id;
	rc = iommufd_vqueue_vid_insert(table, key, vid);
	if (rc) {
		kfree(vid);
		goto out_put;
	}
	/* Like the vqueue's own HWPT: not destroyed while bound */
	refcount_inc(&hwpt->obj.users);
	vid->hwpt = hwpt;
out_put:
	iommufd_put_object(ucmd->ictx, &hwpt->obj);
	return rc;
}

int iommufd_vqueue_set_vdomain_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vqueue_set_vdomain *cmd = ucmd->cmd;
	struct iommufd_vqueue *vqueue;
	u64 key;
	int rc;

	if (cmd->flags & ~IOMMU_VQUEUE_SET_VDOMAIN_REMOVE)
		return -EOPNOTSUPP;

	vqueue = iommufd_get_vqueue(ucmd, cmd->vqueue_id);
	if (IS_ERR(vqueue))
		return PTR_ERR(vqueue);

	/* Only for a format whose commands name domains */
	if (!vqueue->format->vdomain_key) {
		rc = -EINVAL;
		goto out_put;
	}
	rc = vqueue->format->vdomain_key(cmd->domain_id, cmd->pasid, &key);
	if (rc)
		goto out_put;

	mutex_lock(&vqueue->vid_table.mutex);
	if (cmd->flags & IOMMU_VQUEUE_SET_VDOMAIN_REMOVE)
		rc = iommufd_vqueue_vid_remove(&vqueue->vid_table, key,
					       cmd->hwpt_id);
	else
		rc = iommufd_vqueue_bind_vdomain(ucmd, vqueue, key,
						 cmd->hwpt_id);
	mutex_unlock(&vqueue->vid_table.mutex);
out_put:
	iommufd_put_object(ucmd->ictx, &vqueue->obj);
	return rc;
}

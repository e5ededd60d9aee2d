/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trace points of the iommufd vqueue: when a doorbell woke the worker, what
 * each pass found and published, and why a queue stopped.  Together they
 * split a guest's doorbell-to-completion time into the wake-up and the pass,
 * and show where a queue whose guest is waiting stands.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM iommufd_vqueue

#if !defined(_IOMMUFD_VQUEUE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _IOMMUFD_VQUEUE_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(iommufd_vqueue_doorbell,
	    TP_PROTO(u32 id),
	    TP_ARGS(id),
	    TP_STRUCT__entry(__field(u32, id)),
	    TP_fast_assign(__entry->id = id;),
	    TP_printk("vqueue=%u", __entry->id)
);

TRACE_EVENT(iommufd_vqueue_pass,
	    TP_PROTO(u32 id, u32 prod, u32 cons),
	    TP_ARGS(id, prod, cons),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, prod)
			     __field(u32, cons)),
	    TP_fast_assign(__entry->id = id;
			   __entry->prod = prod;
			   __entry->cons = cons;),
	    TP_printk("vqueue=%u prod=%#x cons=%#x", __entry->id,
		      __entry->prod, __entry->cons)
);

TRACE_EVENT(iommufd_vqueue_publish,
	    TP_PROTO(u32 id, u32 cons),
	    TP_ARGS(id, cons),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, cons)),
	    TP_fast_assign(__entry->id = id;
			   __entry->cons = cons;),
	    TP_printk("vqueue=%u cons=%#x", __entry->id, __entry->cons)
);

TRACE_EVENT(iommufd_vqueue_stop,
	    TP_PROTO(u32 id, u32 cons, u32 reason, u32 error_code,
		     int stop_errno),
	    TP_ARGS(id, cons, reason, error_code, stop_errno),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, cons)
			     __field(u32, reason)
			     __field(u32, error_code)
			     __field(int, stop_errno)),
	    TP_fast_assign(__entry->id = id;
			   __entry->cons = cons;
			   __entry->reason = reason;
			   __entry->error_code = error_code;
			   __entry->stop_errno = stop_errno;),
	    TP_printk("vqueue=%u cons=%#x reason=%u error=%u errno=%d",
		      __entry->id, __entry->cons, __entry->reason,
		      __entry->error_code, __entry->stop_errno)
);

#endif /* _IOMMUFD_VQUEUE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE vqueue_trace
#include <trace/define_trace.h>

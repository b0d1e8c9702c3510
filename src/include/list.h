/* Intrusive doubly linked lists, in the style of Linux's <linux/list.h>. */
#pragma once
#include <stddef.h>

struct list_head { struct list_head *next, *prev; };

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void list_init(struct list_head *h) { h->next = h->prev = h; }
static inline int list_empty(const struct list_head *h) { return h->next == h; }

static inline void list_add_between(struct list_head *n, struct list_head *p,
				    struct list_head *q)
{
	n->prev = p; n->next = q; p->next = n; q->prev = n;
}
static inline void list_add(struct list_head *n, struct list_head *h) { list_add_between(n, h, h->next); }
static inline void list_add_tail(struct list_head *n, struct list_head *h) { list_add_between(n, h->prev, h); }
static inline void list_del(struct list_head *n)
{
	n->prev->next = n->next; n->next->prev = n->prev; list_init(n);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_entry((head)->next, __typeof__(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_entry((head)->next, __typeof__(*pos), member),	\
	     n = list_entry(pos->member.next, __typeof__(*pos), member); \
	     &pos->member != (head);					\
	     pos = n, n = list_entry(n->member.next, __typeof__(*n), member))

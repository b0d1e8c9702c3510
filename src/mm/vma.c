/* The map of an address space: its VMAs in an AVL tree keyed by start
 * address. VMAs never overlap, so the order by start is also the order by
 * end. Each node keeps, for its subtree, the lowest start, the highest end
 * and the largest hole between two neighbouring VMAs (as Linux's
 * rb_subtree_gap), so finding a VMA, testing a range and finding a free
 * range are O(log n) in the number of mappings: a guest with many
 * mappings pays for them itself, not every guest waiting on the kernel.
 * The augmented values are a function of a node's children only, so they
 * are simply recomputed on the way up after every change. */
#include "mm.h"

static int height(struct vma *v) { return v ? v->height : 0; }

/* Recomputes v's height and subtree summary from its children. */
static void update(struct vma *v)
{
	struct vma *l = v->left, *r = v->right;
	v->height = 1 + MAX(height(l), height(r));
	v->sub_start = l ? l->sub_start : v->start;
	v->sub_end = r ? r->sub_end : v->end;
	uaddr_t gap = 0;
	if (l)
		gap = MAX(l->sub_gap, v->start - l->sub_end);
	if (r)
		gap = MAX(gap, MAX(r->sub_gap, r->sub_start - v->end));
	v->sub_gap = gap;
}

/* Puts `new` where `old` hangs under `parent` (the root if NULL). */
static void replace_child(struct mm *mm, struct vma *parent, struct vma *old, struct vma *new)
{
	if (!parent)
		mm->vmas = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

static struct vma *rotate_left(struct mm *mm, struct vma *x)
{
	struct vma *y = x->right;
	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	replace_child(mm, x->parent, x, y);
	y->left = x;
	x->parent = y;
	update(x);
	update(y);
	return y;
}

static struct vma *rotate_right(struct mm *mm, struct vma *x)
{
	struct vma *y = x->left;
	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	replace_child(mm, x->parent, x, y);
	y->right = x;
	x->parent = y;
	update(x);
	update(y);
	return y;
}

/* Restores the AVL balance at v (whose children are balanced and up to
 * date); returns the node now at v's place. */
static struct vma *rebalance(struct mm *mm, struct vma *v)
{
	int bf = height(v->left) - height(v->right);
	if (bf > 1) {
		if (height(v->left->left) < height(v->left->right))
			rotate_left(mm, v->left);
		return rotate_right(mm, v);
	}
	if (bf < -1) {
		if (height(v->right->right) < height(v->right->left))
			rotate_right(mm, v->right);
		return rotate_left(mm, v);
	}
	update(v);
	return v;
}

/* Rebalances and recomputes the summaries from v up to the root. */
static void fix_up(struct mm *mm, struct vma *v)
{
	while (v)
		v = rebalance(mm, v)->parent;
}

/* Adds (sign 1) or takes away (-1) v's pages from the mm's counts. */
static void account(struct mm *mm, const struct vma *v, int sign)
{
	if (v->kind == VMA_STUB)
		return;
	size_t n = (v->end - v->start) / PAGE_SIZE;
	mm->total_pages += sign * n;
	if (vma_is_data(v->prot, v->flags, v->kind))
		mm->data_pages += sign * n;
	if (v->flags & MAP_LOCKED)
		mm->locked_pages += sign * n;
}

void vma_set_prot(struct mm *mm, struct vma *v, int prot)
{
	account(mm, v, -1);
	v->prot = prot;
	account(mm, v, 1);
}

void vma_set_flags(struct mm *mm, struct vma *v, int flags)
{
	account(mm, v, -1);
	v->flags = flags;
	account(mm, v, 1);
}

void vma_insert(struct mm *mm, struct vma *n)
{
	account(mm, n, 1);
	struct vma *p = NULL, **link = &mm->vmas;
	while (*link) {
		p = *link;
		link = n->start < p->start ? &p->left : &p->right;
	}
	n->left = n->right = NULL;
	n->parent = p;
	*link = n;
	fix_up(mm, n);
}

void vma_unlink(struct mm *mm, struct vma *v)
{
	account(mm, v, -1);
	struct vma *fix;
	if (!v->left || !v->right) {
		fix = v->parent;
		replace_child(mm, v->parent, v, v->left ? v->left : v->right);
	} else {
		/* Two children: v's successor s (no left child) takes its place. */
		struct vma *s = v->right;
		while (s->left)
			s = s->left;
		if (s->parent == v) {
			fix = s;
		} else {
			fix = s->parent;
			replace_child(mm, s->parent, s, s->right);
			s->right = v->right;
			v->right->parent = s;
		}
		s->left = v->left;
		v->left->parent = s;
		replace_child(mm, v->parent, v, s);
	}
	v->left = v->right = v->parent = NULL;
	fix_up(mm, fix);
}

void vma_set_end(struct mm *mm, struct vma *v, uaddr_t end)
{
	account(mm, v, -1);
	v->end = end;
	account(mm, v, 1);
	fix_up(mm, v);
}

struct vma *vma_first(struct mm *mm)
{
	struct vma *v = mm->vmas;
	while (v && v->left)
		v = v->left;
	return v;
}

struct vma *vma_next(struct vma *v)
{
	if (v->right) {
		v = v->right;
		while (v->left)
			v = v->left;
		return v;
	}
	while (v->parent && v->parent->right == v)
		v = v->parent;
	return v->parent;
}

struct vma *vma_find_from(struct mm *mm, uaddr_t addr)
{
	struct vma *v = mm->vmas, *best = NULL;
	while (v) {
		if (v->end > addr) {
			best = v;
			v = v->left;
		} else {
			v = v->right;
		}
	}
	return best;
}

struct vma *vma_find(struct mm *mm, uaddr_t addr)
{
	struct vma *v = vma_find_from(mm, addr);
	return v && v->start <= addr ? v : NULL;
}

bool range_free(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct vma *v = vma_find_from(mm, start);
	return !v || v->start >= end;
}

/* The highest a with [a, a + len) free and inside [floor, ceil), looking
 * at subtree n, which holds every VMA between lo and hi (the edges of its
 * neighbours outside it); 0 if there is none. A subtree that lies wholly
 * inside [floor, ceil) and has no hole big enough is skipped at once, so
 * only the paths along floor and ceil are walked: O(log n). */
bool range_mapped(struct mm *mm, uaddr_t start, uaddr_t end)
{
	uaddr_t cur = start;
	for (struct vma *v = vma_find_from(mm, start); v && cur < end; v = vma_next(v)) {
		if (v->start > cur || v->kind == VMA_STUB)
			break;
		cur = v->end;
	}
	return cur >= end;
}

static uaddr_t gap_search(struct vma *n, uaddr_t lo, uaddr_t hi, size_t len, uaddr_t floor,
			  uaddr_t ceil)
{
	uaddr_t a = MAX(lo, floor), b = MIN(hi, ceil);
	if (b <= a || b - a < len)
		return 0;
	if (!n)
		return b - len;
	if (lo >= floor && hi <= ceil && n->sub_gap < len && n->sub_start - lo < len &&
	    hi - n->sub_end < len)
		return 0;
	uaddr_t r = gap_search(n->right, n->end, hi, len, floor, ceil);
	return r ? r : gap_search(n->left, lo, n->start, len, floor, ceil);
}

uaddr_t mm_get_unmapped(struct mm *mm, size_t len)
{
	if (!len)
		return 0;
	return gap_search(mm->vmas, 0, (uaddr_t)-1, len, MMAP_MIN_ADDR, mm->mmap_base);
}

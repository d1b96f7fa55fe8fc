import { describe, expect, it } from "vitest";
import { pathText } from "../../src/facts/index.js";
import { callsOf, factsOf, fnFacts, heldAtMarkers } from "./helpers.js";

/** The canonical key and type key of the first argument of each `use()` call. */
function usesOf(...sources: string[]): string[] {
  const { cfiles, facts } = factsOf(...sources);
  return callsOf(cfiles, "use").map((c) => {
    const f = fnFacts(facts, cfiles, c);
    const arg = c.childForFieldName("arguments")!.namedChildren[0];
    const p = f.ids.path(arg);
    return p ? `${pathText(p)} ${f.ids.typeKey(p) ?? "-"}` : "not a path";
  });
}

describe("identity of expressions", () => {
  it("expands a local alias and keeps the type the alias was declared with", () => {
    expect(
      usesOf(`void f(struct ksmbd_work *work)
{
	struct ksmbd_conn *conn = work->conn;

	use(&conn->lock);
	use(&work->conn->lock);
	use(&(*conn).lock);
}`),
    ).toEqual(["work->conn->lock ksmbd_conn::lock", "work->conn->lock ksmbd_conn::lock", "work->conn->lock ksmbd_conn::lock"]);
  });

  it("does not alias a variable assigned twice, or whose address is taken", () => {
    expect(
      usesOf(`void f(struct a *x, struct a *y)
{
	struct a *p = x;
	struct a *q = x;

	if (cond)
		p = y;
	use(&p->lock);
	g(&q);
	use(&q->lock);
}`),
    ).toEqual(["p->lock a::lock", "q->lock a::lock"]);
  });

  it("folds container_of back to the object and types it", () => {
    expect(
      usesOf(`static void foo_work(struct work_struct *w)
{
	struct foo *f = container_of(w, struct foo, work);
	struct foo *g = container_of(&f->work, struct foo, work);

	use(&f->lock);
	use(&g->lock);
}`),
    ).toEqual(["container_of(w,work)->lock foo::lock", "container_of(w,work)->lock foo::lock"]);
  });

  it("names members of embedded structs and through casts the same way", () => {
    expect(
      usesOf(`void f(struct scsi_qla_host *vha, void *data)
{
	use(&vha->e_dbell.db_lock);
	use(&((struct foo *)data)->lock);
}`),
    ).toEqual(["vha->e_dbell->db_lock -", "data->lock -"]);
  });

  it("holds the lock under its canonical name whatever the spelling", () => {
    expect(
      heldAtMarkers(`void f(struct ksmbd_work *work)
{
	struct ksmbd_conn *conn = work->conn;

	spin_lock_bh(&conn->lock);
	marker();
	spin_unlock_bh(&work->conn->lock);
	marker();
}`),
    ).toEqual([["work->conn->lock:must:call"], []]);
  });

  it("learns a member's type from an alias and uses it in every function of the patch", () => {
    const { cfiles, facts } = factsOf(`void f(struct ksmbd_work *work)
{
	struct ksmbd_conn *conn = work->conn;

	use(conn);
}

void g(struct ksmbd_work *w)
{
	use(&w->conn->lock);
}`);
    const [, second] = callsOf(cfiles, "use");
    const f = fnFacts(facts, cfiles, second);
    // Force the first function's identities (where the member type is learnt).
    fnFacts(facts, cfiles, callsOf(cfiles, "use")[0]);
    const p = f.ids.path(second.childForFieldName("arguments")!.namedChildren[0])!;
    expect(f.ids.typeKey(p)).toBe("ksmbd_conn::lock");
  });
});

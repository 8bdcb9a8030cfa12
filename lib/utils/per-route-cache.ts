/** A value computed once per (controller, handler) and kept while the controller class lives. */
export class PerRouteCache<T> {
  private readonly byController = new WeakMap<Function, Map<Function, T>>();

  constructor(private readonly compute: (controller: Function, handler: Function) => T) {}

  get(controller: Function, handler: Function): T {
    let byHandler = this.byController.get(controller);
    if (!byHandler) this.byController.set(controller, (byHandler = new Map()));
    let value = byHandler.get(handler);
    if (value === undefined) byHandler.set(handler, (value = this.compute(controller, handler)));
    return value;
  }
}

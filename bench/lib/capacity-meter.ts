/**
 * What DynamoDB work lands on each partition key, measured: an SDK middleware asks every
 * request for its consumed capacity (`ReturnConsumedCapacity: INDEXES`, which DynamoDB Local
 * answers as DynamoDB does: by item size, doubled in transactions, per index; at least a unit
 * per item written, which it does not always report) and books the units on the keys the
 * request names. A transaction's units for one table are shared evenly
 * among its items in that table. An index write is booked on the base item's key and resolved
 * to the index's own partition key afterwards (`resolveIndexKeys`), since an update does not
 * always carry the attribute the index is keyed on.
 */
import type { AttributeValue, ConsumedCapacity, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";

export type Kind = "read" | "write";

/** Units booked on one partition key of a table or of one of its indexes. */
export interface KeyLoad {
  readonly table: string;
  /** The index, when the key is an index's partition key. */
  readonly index?: string;
  /** The partition key's value; "*" for a scan, which spans every partition. */
  readonly key: string;
  readonly read: number;
  readonly write: number;
}

/** An index write not yet resolved to the index's key: the base item it came from. */
interface PendingIndexWrite {
  readonly table: string;
  readonly index: string;
  readonly baseKey: NativeKey;
  units: number;
}

/** What the meter knows of a table: its key attributes and each index's partition key. */
export interface TableSchema {
  /** The partition key, then the sort key if the table has one. */
  readonly keys: readonly string[];
  /** Index name -> the attribute it is partitioned by. */
  readonly indexes: Readonly<Record<string, string>>;
}

type Item = Record<string, AttributeValue>;
/** A key as the document client takes it. */
type NativeKey = Record<string, string | number | undefined>;
type Input = Record<string, unknown>;

const READS = new Set(["GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan"]);
const WRITES = new Set([
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems",
]);

/**
 * A key attribute's value as text: strings and numbers (the only key types used here), as
 * the document client's callers give them or marshalled.
 */
function text(value: AttributeValue | string | number | undefined): string {
  if (value === undefined) return "?";
  if (typeof value === "string" || typeof value === "number") return String(value);
  if ("S" in value && value.S !== undefined) return value.S;
  if ("N" in value && value.N !== undefined) return value.N;
  return "?";
}

/** A key value as the document client takes it. */
function native(value: AttributeValue | string | number | undefined): string | number | undefined {
  if (value === undefined || typeof value === "string" || typeof value === "number") return value;
  if ("S" in value && value.S !== undefined) return value.S;
  if ("N" in value && value.N !== undefined) return Number(value.N);
  return undefined;
}

/** One item a request names: its table, the item (or key) as sent, and its operation. */
interface Named {
  readonly table: string;
  readonly item: Item;
  /** The operation's own input: an update's expression and values. */
  readonly op?: Input;
}

/** Each item a request names. */
function itemsOf(command: string, input: Input): Named[] {
  switch (command) {
    case "PutItem":
      return [{ table: String(input.TableName), item: input.Item as Item, op: input }];
    case "GetItem":
    case "UpdateItem":
    case "DeleteItem":
      return [{ table: String(input.TableName), item: input.Key as Item, op: input }];
    case "BatchGetItem":
      return Object.entries(input.RequestItems as Record<string, { Keys: Item[] }>).flatMap(
        ([table, { Keys }]) => Keys.map((item) => ({ table, item })),
      );
    case "BatchWriteItem":
      return Object.entries(
        input.RequestItems as Record<
          string,
          { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]
        >,
      ).flatMap(([table, requests]) =>
        requests.map((request) => ({
          table,
          item: (request.PutRequest?.Item ?? request.DeleteRequest?.Key) as Item,
        })),
      );
    case "TransactWriteItems":
    case "TransactGetItems":
      return (
        input.TransactItems as Record<string, { TableName: string; Item?: Item; Key?: Item }>[]
      )
        .map((entry) => Object.values(entry)[0])
        .filter((op) => op !== undefined)
        .map((op) => ({ table: op.TableName, item: (op.Item ?? op.Key) as Item, op }));
    default:
      return [];
  }
}

/** The value an update sets `attribute` to, when its SET clause names it. */
function valueSet(op: Input | undefined, attribute: string): string | number | undefined {
  const expression = String(op?.UpdateExpression ?? "");
  if (!expression) return undefined;
  const names = (op?.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (op?.ExpressionAttributeValues ?? {}) as Item;
  for (const [, name, value] of expression.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    if ((names[name ?? ""] ?? name) === attribute) return native(values[value ?? ""]);
  }
  return undefined;
}

/** The partition key value a query names: the equality in its key condition. */
function queriedKey(input: Input): string {
  const condition = String(input.KeyConditionExpression ?? "");
  const values = (input.ExpressionAttributeValues ?? {}) as Item;
  // The partition key is always an equality; a sort key condition may follow it.
  const match = /[#\w]+\s*=\s*(:\w+)/.exec(condition);
  return match?.[1] ? text(values[match[1]]) : "?";
}

export class CapacityMeter {
  private readonly loads = new Map<
    string,
    { table: string; index?: string; key: string; read: number; write: number }
  >();
  private readonly pending = new Map<string, PendingIndexWrite>();
  private readonly attached = new WeakSet<object>();
  /** Requests seen, by command. */
  readonly requests = new Map<string, number>();

  /** The index key each base item was last seen writing, per table, index and item. */
  private readonly lastIndexKey = new Map<string, string | number>();

  /**
   * @param schemaOf each table's (physical name) key attributes, its partition key first, and
   *   the partition key attribute of each of its indexes
   */
  constructor(private readonly schemaOf: (table: string) => TableSchema | undefined) {}

  private keysOf(table: string): readonly string[] {
    return this.schemaOf(table)?.keys ?? [];
  }

  private keyOf(table: string): string {
    return this.keysOf(table)[0] ?? "?";
  }

  /** Adds the metering middleware to a client (once). Document clients share their client's stack. */
  attach(client: { middlewareStack: DynamoDBClient["middlewareStack"] }): void {
    if (this.attached.has(client.middlewareStack)) return;
    this.attached.add(client.middlewareStack);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName ?? "").replace(/Command$/, "");
        const input = args.input as Input;
        const metered = READS.has(command) || WRITES.has(command);
        if (metered) input.ReturnConsumedCapacity = "INDEXES";
        const result = await next(args);
        if (metered) {
          const output = result.output as {
            ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[];
          };
          this.book(command, input, output.ConsumedCapacity);
        }
        return result;
      },
      // Before the serializer, after the document client has marshalled the input.
      { step: "serialize", priority: "high", name: "capacityMeter" },
    );
  }

  private add(table: string, index: string | undefined, key: string, kind: Kind, units: number) {
    const id = `${table}\u0000${index ?? ""}\u0000${key}`;
    let load = this.loads.get(id);
    if (!load) {
      load = { table, ...(index ? { index } : {}), key, read: 0, write: 0 };
      this.loads.set(id, load);
    }
    load[kind] += units;
  }

  private book(
    command: string,
    input: Input,
    consumed: ConsumedCapacity | ConsumedCapacity[] | undefined,
  ) {
    this.requests.set(command, (this.requests.get(command) ?? 0) + 1);
    const kind: Kind = READS.has(command) ? "read" : "write";
    for (const capacity of [consumed ?? []].flat()) {
      const table = capacity.TableName ?? "?";
      const tableUnits = capacity.Table?.CapacityUnits ?? capacity.CapacityUnits ?? 0;
      if (command === "Query" || command === "Scan") {
        const key = command === "Scan" ? "*" : queriedKey(input);
        const index = input.IndexName as string | undefined;
        // A query of an index consumes the index's units; of the table, the table's.
        const units = index
          ? (capacity.GlobalSecondaryIndexes?.[index]?.CapacityUnits ?? capacity.CapacityUnits ?? 0)
          : tableUnits;
        this.add(table, index, key, kind, units);
        continue;
      }
      const items = itemsOf(command, input).filter((entry) => entry.table === table);
      if (items.length === 0) continue;
      const keyName = this.keyOf(table);
      // DynamoDB charges every item written at least one unit, two in a transaction.
      // DynamoDB Local sizes an update by the item as it was, so an update that creates its
      // item (a counter's first ADD) is reported as free: the floor puts that right.
      const floor = kind === "write" ? (command === "TransactWriteItems" ? 2 : 1) : 0;
      for (const { item } of items) {
        const units = Math.max(tableUnits / items.length, floor);
        this.add(table, undefined, text(item[keyName]), kind, units);
      }
      for (const [index, { CapacityUnits = 0 }] of Object.entries(
        capacity.GlobalSecondaryIndexes ?? {},
      )) {
        for (const { item, op } of items) {
          const units = CapacityUnits / items.length;
          const baseKey = Object.fromEntries(
            this.keysOf(table).map((name) => [name, native(item[name])]),
          );
          // An item named without its whole key cannot be told apart: its index key is unknown.
          if (Object.values(baseKey).some((value) => value === undefined)) {
            this.add(table, index, "?", "write", units);
            continue;
          }
          const id = JSON.stringify([table, index, baseKey]);
          const attribute = this.schemaOf(table)?.indexes[index];
          // The index key this write sets (a put's item, an update's SET), or the one the item
          // was last seen with (a removal from a sparse index writes the old key's partition).
          const written = attribute
            ? (native(item[attribute]) ?? valueSet(op, attribute))
            : undefined;
          if (written !== undefined) this.lastIndexKey.set(id, written);
          const known = written ?? this.lastIndexKey.get(id);
          if (known !== undefined) {
            this.add(table, index, String(known), "write", units);
            continue;
          }
          // Written before the meter saw it: read the item back afterwards (resolveIndexKeys).
          const pending = this.pending.get(id) ?? { table, index, baseKey, units: 0 };
          pending.units += units;
          this.pending.set(id, pending);
        }
      }
    }
  }

  /**
   * Books the index writes of items the meter never saw the index key of on the index's
   * partition key, read from each base item now (an attribute that does not change, such as a
   * product's category).
   */
  async resolveIndexKeys(client: DynamoDBClient): Promise<void> {
    const pending = [...this.pending.values()];
    this.pending.clear();
    const baseId = (table: string, key: NativeKey) => JSON.stringify([table, key]);
    for (let start = 0; start < pending.length; start += 100) {
      const chunk = pending.slice(start, start + 100);
      const byTable = new Map<string, Map<string, NativeKey>>();
      for (const write of chunk) {
        const keys = byTable.get(write.table) ?? new Map<string, NativeKey>();
        keys.set(baseId(write.table, write.baseKey), write.baseKey);
        byTable.set(write.table, keys);
      }
      const found = new Map<string, Record<string, unknown>>();
      const { Responses = {} } = await client.send(
        new BatchGetItemCommand({
          RequestItems: Object.fromEntries(
            [...byTable].map(([table, keys]) => [
              table,
              { Keys: [...keys.values()].map((key) => marshall(key)), ConsistentRead: true },
            ]),
          ),
        }),
      );
      for (const [table, items] of Object.entries(Responses)) {
        for (const raw of items) {
          const item = unmarshall(raw);
          const key = Object.fromEntries(this.keysOf(table).map((name) => [name, item[name]]));
          found.set(baseId(table, key), item);
        }
      }
      for (const write of chunk) {
        const base = found.get(baseId(write.table, write.baseKey));
        const attribute = this.schemaOf(write.table)?.indexes[write.index];
        // A base item since deleted, or out of the index: its index key is unknown.
        const value = base && attribute ? base[attribute] : undefined;
        this.add(
          write.table,
          write.index,
          value === undefined ? "?" : String(value),
          "write",
          write.units,
        );
      }
    }
  }

  /** Forgets everything booked so far: the measurement starts now. */
  clear(): void {
    this.loads.clear();
    this.pending.clear();
    this.requests.clear();
  }

  /** Every key's load. */
  loadsByKey(): KeyLoad[] {
    return [...this.loads.values()];
  }
}

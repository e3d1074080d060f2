import { readFileSync } from "node:fs";
import { parse } from "@foxglove/rosmsg";
import { MessageReader, MessageWriter } from "@foxglove/rosmsg2-serialization";
import type * as rcl from "rclnodejs";
import { parse as parseYaml } from "yaml";
import type { RclnodejsModule, RclnodejsNode } from "../../bridges/ros2/rclnodejs-node.js";

// A stand-in for rclnodejs that implements the slice of rclnodejs's own types the adapter uses
// (RclnodejsModule), with rcl's behaviour where lam depends on it: global ROS arguments from init()
// (namespace, node name, remaps, -p and --params-file overrides applied at declareParameter), topic name
// expansion, and every publish written to CDR with the definitions it is given — the real .msg files
// where the test has them — and delivered back to matching subscriptions. Written apart from lam's own
// parser (bridges/ros2/ros-args.ts) on purpose: the two are checked against each other.

export interface Wire {
  readonly topic: string;
  readonly type: string;
  readonly bytes: Uint8Array;
}

interface FakeSub {
  readonly topic: string;
  readonly type: string;
  readonly qos: rcl.QoS;
  readonly cb: (m: unknown) => void;
}
interface FakePub {
  readonly topic: string;
  readonly type: string;
  readonly qos: rcl.QoS;
  publish(message: any): void;
}

class FakeQoS implements rcl.QoS {
  avoidRosNameSpaceConventions = false;
  liveliness = 0 as rcl.QoS.LivelinessPolicy;
  constructor(
    public history: number = 0,
    public depth: number = 0,
    private readonly rel: rcl.QoS.ReliabilityPolicy = 0 as rcl.QoS.ReliabilityPolicy,
    public durability: rcl.QoS.DurabilityPolicy = 0 as rcl.QoS.DurabilityPolicy,
  ) {}
  reliability(): rcl.QoS.ReliabilityPolicy {
    return this.rel;
  }
}

class FakeParameter implements rcl.Parameter {
  value: any;
  constructor(
    readonly name: string,
    readonly type: rcl.ParameterType,
    value?: any,
  ) {
    this.value = value;
  }
  validate(): void {}
  toParameterMessage(): any {
    return { name: this.name, value: this.toParameterValueMessage() };
  }
  toParameterValueMessage(): any {
    return { type: this.type, value: this.value };
  }
}

class FakeDescriptor implements rcl.ParameterDescriptor {
  additionalConstraints = "";
  rangeConstraint = undefined as unknown as rcl.Range;
  constructor(
    readonly name: string,
    readonly type: rcl.ParameterType,
    readonly description: string = "",
    readonly readOnly: boolean = false,
  ) {}
  hasRange(): boolean {
    return false;
  }
  validate(): void {}
  validateParameter(): void {}
  toMessage(): any {
    return { name: this.name, type: this.type, description: this.description, read_only: this.readOnly };
  }
}

/** rcl's parameter types of a YAML value. */
function typeOfValue(v: unknown): number {
  if (typeof v === "boolean") return 1;
  if (typeof v === "number") return Number.isInteger(v) ? 2 : 3;
  if (typeof v === "string") return 4;
  if (Array.isArray(v)) return typeof v[0] === "string" ? 9 : typeof v[0] === "boolean" ? 6 : v.every(Number.isInteger) ? 7 : 8;
  return 0;
}

export interface FakeRclnodejsOptions {
  /** Full ros2msg definition of a type (e.g. the real .msg files with their dependencies). */
  readonly definitionOf: (type: string) => string;
  /** The node clock, s (default: the wall clock). */
  readonly clock?: () => number;
}

export class FakeRclnodejs implements RclnodejsModule<FakeSub, FakePub> {
  argv: string[] = [];
  initialized = false;
  shut = false;
  readonly wire: Wire[] = [];
  readonly subscriptions: FakeSub[] = [];
  readonly publishers: FakePub[] = [];
  readonly nodes: RclnodejsNode<FakeSub, FakePub>[] = [];
  readonly declared = new Map<string, { parameter: rcl.Parameter; descriptor?: rcl.ParameterDescriptor }>();
  readonly #codecs = new Map<string, { writer: MessageWriter; reader: MessageReader }>();
  readonly #latched = new Map<string, Uint8Array[]>();

  constructor(private readonly opts: FakeRclnodejsOptions) {
    const self = this;
    this.Node = class FakeNode implements RclnodejsNode<FakeSub, FakePub> {
      readonly #name: string;
      readonly #ns: string;
      readonly #remaps: [string, string][] = [];
      readonly #overrides = new Map<string, unknown>();
      constructor(nodeName: string, namespace?: string) {
        if (!self.initialized) throw new Error("rclnodejs.init() must be called first");
        let name = nodeName;
        let ns = namespace || "/";
        const remaps: [string, string][] = [];
        const sets: [string, string][] = [];
        const files: string[] = [];
        // Global arguments, as rcl reads them: every --ros-args section of argv.
        let on = false;
        for (let i = 0; i < self.argv.length; i++) {
          const a = self.argv[i];
          if (a === "--ros-args") on = true;
          else if (a === "--") on = false;
          else if (on && (a === "-r" || a === "--remap")) {
            const [l, r] = self.argv[++i].split(":=");
            if (l === "__ns") ns = r;
            else if (l === "__node") name = r;
            else remaps.push([l, r]);
          } else if (on && (a === "-p" || a === "--param")) sets.push(self.argv[++i].split(":=") as [string, string]);
          else if (on && a === "--params-file") files.push(self.argv[++i]);
        }
        this.#name = name;
        this.#ns = ns;
        for (const [from, to] of remaps) this.#remaps.push([this.#expand(from), this.#expand(to)]);
        const full = this.getFullyQualifiedName();
        // rcl applies params files, then -p (command-line order within each kind is enough for these tests).
        for (const f of files) {
          const doc = parseYaml(readFileSync(f, "utf8")) as Record<string, { ros__parameters: Record<string, unknown> }>;
          for (const key of ["/**", full, name]) for (const [k, v] of Object.entries(doc[key]?.ros__parameters ?? {})) this.#overrides.set(k, v);
        }
        for (const [k, v] of sets) this.#overrides.set(k, parseYaml(v));
        this.declareParameter(new FakeParameter("use_sim_time", 1 as rcl.ParameterType, false));
        self.nodes.push(this);
      }
      #expand(topic: string): string {
        if (topic.startsWith("/")) return topic;
        const ns = this.#ns === "/" ? "" : this.#ns;
        if (topic.startsWith("~")) return `${ns}/${this.#name}${topic.slice(1)}`;
        return `${ns}/${topic}`;
      }
      name(): string {
        return this.#name;
      }
      namespace(): string {
        return this.#ns;
      }
      getFullyQualifiedName(): string {
        return `${this.#ns === "/" ? "" : this.#ns}/${this.#name}`;
      }
      resolveTopicName(topicName: string): string {
        const full = this.#expand(topicName);
        return this.#remaps.find(([from]) => from === full)?.[1] ?? full;
      }
      createSubscription(typeClass: string, topic: string, options: rcl.Options, callback: (message: any) => void): FakeSub {
        const sub: FakeSub = { topic: this.resolveTopicName(topic), type: typeClass, qos: options.qos as rcl.QoS, cb: callback };
        self.subscriptions.push(sub);
        // Transient-local: a late subscriber gets what was kept.
        if ((sub.qos.durability as number) === 1) for (const b of self.#latched.get(sub.topic) ?? []) callback(self.codec(typeClass).reader.readMessage(b));
        return sub;
      }
      destroySubscription(subscription: FakeSub): void {
        self.subscriptions.splice(self.subscriptions.indexOf(subscription), 1);
      }
      createPublisher(typeClass: string, topic: string, options?: rcl.Options): FakePub {
        const resolved = this.resolveTopicName(topic);
        const qos = options?.qos as rcl.QoS;
        const pub: FakePub = {
          topic: resolved,
          type: typeClass,
          qos,
          publish(message: any) {
            const bytes = self.codec(typeClass).writer.writeMessage(message);
            self.wire.push({ topic: resolved, type: typeClass, bytes });
            if ((qos.durability as number) === 1) self.#latched.set(resolved, [...(self.#latched.get(resolved) ?? []), bytes].slice(-Math.max(1, qos.depth)));
            for (const s of [...self.subscriptions]) if (s.topic === resolved && s.type === typeClass) s.cb(self.codec(typeClass).reader.readMessage(bytes));
          },
        };
        self.publishers.push(pub);
        return pub;
      }
      destroyPublisher(publisher: FakePub): void {
        self.publishers.splice(self.publishers.indexOf(publisher), 1);
      }
      declareParameter(parameter: rcl.Parameter, descriptor?: rcl.ParameterDescriptor, ignoreOverride?: boolean): rcl.Parameter {
        const key = `${this.getFullyQualifiedName()}:${parameter.name}`;
        if (self.declared.has(key)) throw new Error(`parameter ${parameter.name} is already declared`);
        let p = parameter;
        if (!ignoreOverride && this.#overrides.has(parameter.name)) {
          const v = this.#overrides.get(parameter.name);
          // rcl refuses an override of another type (an integer for a double included).
          if (typeOfValue(v) !== parameter.type) throw new Error(`parameter ${parameter.name}: override ${JSON.stringify(v)} has type ${typeOfValue(v)}, declared ${parameter.type}`);
          p = new FakeParameter(parameter.name, parameter.type, v);
        }
        self.declared.set(key, { parameter: p, ...(descriptor ? { descriptor } : {}) });
        return p;
      }
      hasParameter(name: string): boolean {
        return self.declared.has(`${this.getFullyQualifiedName()}:${name}`);
      }
      getParameter(name: string): rcl.Parameter {
        return self.declared.get(`${this.getFullyQualifiedName()}:${name}`)?.parameter ?? new FakeParameter(name, 0 as rcl.ParameterType);
      }
      now(): Pick<rcl.Time, "secondsAndNanoseconds"> {
        const t = (self.opts.clock ?? (() => Date.now() / 1000))();
        const ns = BigInt(Math.round(t * 1e9));
        return { secondsAndNanoseconds: { seconds: ns / 1_000_000_000n, nanoseconds: ns % 1_000_000_000n } };
      }
      spin(): void {}
      destroy(): void {}
    };
  }

  readonly Node: new (nodeName: string, namespace?: string) => RclnodejsNode<FakeSub, FakePub>;
  readonly QoS = FakeQoS;
  readonly Parameter = FakeParameter;
  readonly ParameterDescriptor = FakeDescriptor;

  async init(_context?: rcl.Context, argv?: string[]): Promise<void> {
    if (this.initialized) throw new Error("The context has already been initialized.");
    this.initialized = true;
    this.argv = argv ?? [];
  }
  shutdown(): void {
    this.shut = true;
  }
  isShutdown(): boolean {
    return this.shut;
  }

  codec(type: string): { writer: MessageWriter; reader: MessageReader } {
    let c = this.#codecs.get(type);
    if (!c) {
      const defs = parse(this.opts.definitionOf(type), { ros2: true });
      this.#codecs.set(type, (c = { writer: new MessageWriter(defs), reader: new MessageReader(defs) }));
    }
    return c;
  }

  /** Publishes as another node would (for the node's subscriptions), latched when transient-local is asked. */
  inject(topic: string, type: string, message: unknown, latched = false): void {
    const bytes = this.codec(type).writer.writeMessage(message);
    if (latched) this.#latched.set(topic, [...(this.#latched.get(topic) ?? []), bytes]);
    for (const s of [...this.subscriptions]) if (s.topic === topic && s.type === type) s.cb(this.codec(type).reader.readMessage(bytes));
  }

  on(topic: string): Wire[] {
    return this.wire.filter((w) => w.topic === topic);
  }
}

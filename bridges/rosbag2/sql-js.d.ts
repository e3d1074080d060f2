// sql.js ships no types; only what the rosbag2 reader (and its tests, writing .db3 fixtures) use.
declare module "sql.js" {
  export type SqlValue = number | string | Uint8Array | null;
  export interface QueryExecResult {
    readonly columns: string[];
    readonly values: SqlValue[][];
  }
  export interface Statement {
    bind(values?: SqlValue[] | Record<string, SqlValue>): boolean;
    step(): boolean;
    get(): SqlValue[];
    free(): boolean;
  }
  export interface Database {
    exec(sql: string, params?: SqlValue[]): QueryExecResult[];
    run(sql: string, params?: SqlValue[]): Database;
    prepare(sql: string): Statement;
    export(): Uint8Array;
    close(): void;
  }
  export interface SqlJsStatic {
    readonly Database: new (data?: ArrayLike<number> | Buffer | null) => Database;
  }
  export default function initSqlJs(config?: { locateFile?: (file: string) => string }): Promise<SqlJsStatic>;
}

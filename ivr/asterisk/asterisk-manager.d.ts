// asterisk-manager 0.2.0, typed for what the adapter uses (the package ships no types).
declare module 'asterisk-manager' {
  /** A parsed AMI message: header names lowercased, repeated headers as arrays, Variable as an object. */
  type AmiMessage = Record<string, unknown>;

  interface Manager {
    options: { port: number; host: string; username: string; password: string; events: boolean };
    connect(port: number, host: string, callback?: (err: Error | null) => void): void;
    login(callback?: (err?: AmiMessage) => void): void;
    /** Sends an action; the callback gets (error response | undefined, response). Returns the ActionID. */
    action(action: Record<string, unknown>, callback?: (err: AmiMessage | undefined, res: AmiMessage) => void): string;
    disconnect(callback?: () => void): void;
    isConnected(): boolean;
    keepConnected(): void;
    on(event: string, listener: (...args: any[]) => void): void;
    removeAllListeners(event?: string): void;
    listeners(event: string): Function[];
  }

  function AsteriskManager(port?: number, host?: string, username?: string, password?: string, events?: boolean): Manager;
  export = AsteriskManager;
}

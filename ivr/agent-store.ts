// Persists the application's agent states (table agent_states, migration 030).
import { Knex } from 'knex';
import { AgentState } from './telephony';

export interface StoredAgentState {
  state: AgentState;
  since: string;
}

export interface AgentStateStore {
  load(): Promise<Map<string, StoredAgentState>>;
  save(agent: string, s: StoredAgentState): Promise<void>;
}

const NAMES = new Set(['logged_out', 'ready', 'on_break', 'wrap_up', 'on_call']);

export class KnexAgentStateStore implements AgentStateStore {
  constructor(private db: Knex, private now: () => Date = () => new Date()) {}

  async load(): Promise<Map<string, StoredAgentState>> {
    const out = new Map<string, StoredAgentState>();
    for (const r of await this.db('agent_states').select()) {
      if (!NAMES.has(r.state)) continue;
      let state: AgentState;
      if (r.state === 'on_break') state = { state: 'on_break', reason: r.reason ?? '' };
      else if (r.state === 'on_call') state = { state: 'on_call', callId: r.call_id ?? '' };
      else state = { state: r.state } as AgentState;
      out.set(String(r.agent), { state, since: String(r.since) });
    }
    return out;
  }

  async save(agent: string, s: StoredAgentState): Promise<void> {
    const row = {
      agent, state: s.state.state,
      reason: s.state.state === 'on_break' ? s.state.reason : null,
      call_id: s.state.state === 'on_call' ? s.state.callId : null,
      since: s.since, updated_at: this.now().toISOString(),
    };
    await this.db('agent_states').insert(row).onConflict('agent').merge();
  }
}

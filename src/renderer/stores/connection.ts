// Whether the engine answers. Any call that cannot reach it turns the banner on; a light
// heartbeat notices a stopped engine even while the user only looks at images, and notices
// when it is back.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { onEngineReach, useApi } from '../api';

const HEARTBEAT_MS = 5000;

export const useConnectionStore = defineStore('connection', () => {
  const api = useApi();
  const reachable = ref(true);
  onEngineReach((reached) => (reachable.value = reached));
  let timer: ReturnType<typeof setInterval> | undefined;

  function start(): void {
    clearInterval(timer);
    timer = setInterval(() => void api.capabilities().catch(() => undefined), HEARTBEAT_MS);
  }

  return { reachable, start };
});

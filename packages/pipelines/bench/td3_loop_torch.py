"""CleanRL's td3_continuous_action.py training loop on Pendulum-v1, timed: the reference for td3loop.bench.ts.

    python3 td3_loop_torch.py --steps 3000 --learning-starts 1000 --threads 1

CleanRL's defaults (256-256 networks, batch 256, Adam 3e-4, exploration noise 0.1, target smoothing 0.2/0.5, policy
delay 2, tau 0.005) and its loop: random actions before `learning_starts`, then the actor's action plus Gaussian
noise each step, one env step, one replay insert, and from then on one update per step (the critic loss read with
.item() every 100 steps, as CleanRL logs it). Gymnasium is not needed: Pendulum-v1 is written out below from its
published dynamics (g = 10, m = l = 1, dt = 0.05, max speed 8, max torque 2, 200-step episodes), and the replay
buffer is a numpy ring buffer sampled with uniform indices, as Stable-Baselines3's ReplayBuffer does.
Prints one JSON object with the steps/s of the learning phase.
"""
import argparse
import glob
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "agents", "bench"))
from td3_torch import make_td3, threadpools  # noqa: E402  (CleanRL's networks and update, shared with the update bench)


class Pendulum:
    """Gymnasium's Pendulum-v1 dynamics and reward, with its 200-step time limit."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.state = np.zeros(2)
        self.t = 0

    def _obs(self):
        th, thdot = self.state
        return np.array([math.cos(th), math.sin(th), thdot], dtype=np.float32)

    def reset(self):
        self.state = self.rng.uniform(low=[-math.pi, -1.0], high=[math.pi, 1.0])
        self.t = 0
        return self._obs()

    def step(self, action):
        th, thdot = self.state
        u = float(np.clip(action[0], -2.0, 2.0))
        norm = ((th + math.pi) % (2 * math.pi)) - math.pi
        cost = norm**2 + 0.1 * thdot**2 + 0.001 * u**2
        thdot = float(np.clip(thdot + (3 * 10.0 / 2 * math.sin(th) + 3.0 * u) * 0.05, -8.0, 8.0))
        th = th + thdot * 0.05
        self.state = np.array([th, thdot])
        self.t += 1
        return self._obs(), -cost, False, self.t >= 200


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--learning-starts", type=int, default=1000)
    p.add_argument("--threads", type=int, default=0, help="0: torch's default")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--returns-out", default=None, help="also write [[step, return], ...] of every episode here (JSON)")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    obs_size, act_size = 3, 1
    low, high = np.array([-2.0], dtype=np.float32), np.array([2.0], dtype=np.float32)
    exploration_noise, batch_size = 0.1, 256
    actor, td3_update = make_td3(obs_size, act_size, low, high)  # CleanRL's defaults

    capacity = a.steps
    rb_obs = np.zeros((capacity, obs_size), dtype=np.float32)
    rb_next = np.zeros((capacity, obs_size), dtype=np.float32)
    rb_act = np.zeros((capacity, act_size), dtype=np.float32)
    rb_rew = np.zeros((capacity, 1), dtype=np.float32)
    rb_done = np.zeros((capacity, 1), dtype=np.float32)
    rb_size = 0

    env = Pendulum(a.seed)
    obs = env.reset()
    returns, episode_return, episode_ends = [], 0.0, []
    learning_start_time = None
    cpu_at_learning_start = None
    for global_step in range(a.steps):
        if global_step == a.learning_starts:
            learning_start_time = time.perf_counter()
            cpu_at_learning_start = time.process_time()
        if global_step < a.learning_starts:
            actions = rng.uniform(low, high).astype(np.float32)
        else:
            with torch.no_grad():
                actions = actor(torch.Tensor(obs).unsqueeze(0))
                actions += torch.normal(0, actor.action_scale * exploration_noise)
                actions = actions.cpu().numpy()[0].clip(low, high)
        next_obs, reward, terminated, truncated = env.step(actions)
        episode_return += reward
        rb_obs[rb_size], rb_next[rb_size], rb_act[rb_size] = obs, next_obs, actions
        rb_rew[rb_size], rb_done[rb_size] = reward, float(terminated)
        rb_size += 1
        obs = next_obs
        if terminated or truncated:
            returns.append(episode_return)
            episode_ends.append(global_step + 1)
            episode_return = 0.0
            obs = env.reset()
        if global_step > a.learning_starts:
            idx = rng.integers(0, rb_size, size=batch_size)
            qf_loss = td3_update(
                global_step,
                torch.as_tensor(rb_obs[idx]),
                torch.as_tensor(rb_next[idx]),
                torch.as_tensor(rb_act[idx]),
                torch.as_tensor(rb_rew[idx]),
                torch.as_tensor(rb_done[idx]),
            )
            if global_step % 100 == 0:
                qf_loss.item()
    if a.returns_out is not None:
        with open(a.returns_out, "w") as f:
            json.dump([[step, round(float(r), 3)] for step, r in zip(episode_ends, returns)], f)
    seconds = time.perf_counter() - learning_start_time
    cpu_seconds = time.process_time() - cpu_at_learning_start
    learning_steps = a.steps - a.learning_starts
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
                "blas": sorted({os.path.realpath(p) for p in glob.glob("/usr/lib/*/libblas.so.3")}),
                "threadpools": threadpools(),
                "learningSteps": learning_steps,
                "seconds": round(seconds, 3),
                "stepsPerSecond": round(learning_steps / seconds, 2),
                "stepsPerCpuSecond": round(learning_steps / cpu_seconds, 2),
                "episodes": len(returns),
                "lastReturns": [round(r, 1) for r in returns[-3:]],
            }
        )
    )


if __name__ == "__main__":
    main()

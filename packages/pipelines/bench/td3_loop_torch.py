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
import torch.nn.functional as F
import torch.optim as optim

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "agents", "bench"))
from td3_torch import Actor, QNetwork  # noqa: E402  (CleanRL's networks, shared with the update bench)


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
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    obs_size, act_size = 3, 1
    low, high = np.array([-2.0], dtype=np.float32), np.array([2.0], dtype=np.float32)
    gamma, tau, policy_noise, noise_clip, policy_frequency, lr = 0.99, 0.005, 0.2, 0.5, 2, 3e-4
    exploration_noise, batch_size = 0.1, 256

    actor = Actor(obs_size, act_size, low, high)
    qf1, qf2 = QNetwork(obs_size, act_size), QNetwork(obs_size, act_size)
    qf1_target, qf2_target = QNetwork(obs_size, act_size), QNetwork(obs_size, act_size)
    target_actor = Actor(obs_size, act_size, low, high)
    target_actor.load_state_dict(actor.state_dict())
    qf1_target.load_state_dict(qf1.state_dict())
    qf2_target.load_state_dict(qf2.state_dict())
    q_optimizer = optim.Adam(list(qf1.parameters()) + list(qf2.parameters()), lr=lr)
    actor_optimizer = optim.Adam(list(actor.parameters()), lr=lr)

    capacity = a.steps
    rb_obs = np.zeros((capacity, obs_size), dtype=np.float32)
    rb_next = np.zeros((capacity, obs_size), dtype=np.float32)
    rb_act = np.zeros((capacity, act_size), dtype=np.float32)
    rb_rew = np.zeros((capacity, 1), dtype=np.float32)
    rb_done = np.zeros((capacity, 1), dtype=np.float32)
    rb_size = 0

    env = Pendulum(1)
    obs = env.reset()
    returns, episode_return = [], 0.0
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
            episode_return = 0.0
            obs = env.reset()
        if global_step > a.learning_starts:
            idx = rng.integers(0, rb_size, size=batch_size)
            observations = torch.as_tensor(rb_obs[idx])
            next_observations = torch.as_tensor(rb_next[idx])
            b_actions = torch.as_tensor(rb_act[idx])
            rewards = torch.as_tensor(rb_rew[idx])
            dones = torch.as_tensor(rb_done[idx])
            with torch.no_grad():
                clipped_noise = (torch.randn_like(b_actions, device="cpu") * policy_noise).clamp(
                    -noise_clip, noise_clip
                ) * target_actor.action_scale
                next_state_actions = (target_actor(next_observations) + clipped_noise).clamp(
                    torch.from_numpy(low), torch.from_numpy(high)
                )
                qf1_next_target = qf1_target(next_observations, next_state_actions)
                qf2_next_target = qf2_target(next_observations, next_state_actions)
                min_qf_next_target = torch.min(qf1_next_target, qf2_next_target)
                next_q_value = rewards.flatten() + (1 - dones.flatten()) * gamma * (min_qf_next_target).view(-1)
            qf1_a_values = qf1(observations, b_actions).view(-1)
            qf2_a_values = qf2(observations, b_actions).view(-1)
            qf1_loss = F.mse_loss(qf1_a_values, next_q_value)
            qf2_loss = F.mse_loss(qf2_a_values, next_q_value)
            qf_loss = qf1_loss + qf2_loss
            q_optimizer.zero_grad()
            qf_loss.backward()
            q_optimizer.step()
            if global_step % policy_frequency == 0:
                actor_loss = -qf1(observations, actor(observations)).mean()
                actor_optimizer.zero_grad()
                actor_loss.backward()
                actor_optimizer.step()
                for param, target_param in zip(actor.parameters(), target_actor.parameters()):
                    target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data)
                for param, target_param in zip(qf1.parameters(), qf1_target.parameters()):
                    target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data)
                for param, target_param in zip(qf2.parameters(), qf2_target.parameters()):
                    target_param.data.copy_(tau * param.data + (1 - tau) * target_param.data)
            if global_step % 100 == 0:
                qf_loss.item()
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

-- Withdraw offers not accepted in time: an offered ('assigned') conversation whose offer is
-- older than the limit goes back to the queue at its old place (score and wait kept), and
-- the agent who missed it is set away (no more offers until they come back online).
-- Atomic with accept.lua: an accepted conversation is 'active' and never withdrawn; once
-- withdrawn, the agent is no longer online and their accept is refused.
-- ARGV: prefix, now (ms), offer limit (ms). Returns a flat list: conversation, agent,
-- offered for (ms), ...
local prefix, now, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local withdrawn = {}
-- Offline agents hold nothing (going offline re-queues their chats): only agents on shift.
local on_shift = redis.call('SMEMBERS', prefix .. 'agents:on_shift')
table.sort(on_shift)
for _, aid in ipairs(on_shift) do
  local agent = prefix .. 'agent:' .. aid
  local chats = agent .. ':chats'
  local missed = false
  local held = redis.call('SMEMBERS', chats)
  table.sort(held)
  for _, cid in ipairs(held) do
    local conv = prefix .. 'conv:' .. cid
    local c = redis.call('HMGET', conv, 'status', 'agent', 'score', 'assigned_at')
    local offered_at = tonumber(c[4]) or now
    if c[1] == 'assigned' and c[2] == aid and now - offered_at >= limit then
      redis.call('SREM', chats, cid)
      redis.call('HDEL', agent .. ':unread', cid)
      if tonumber(redis.call('HINCRBY', agent, 'active', -1)) < 0 then
        redis.call('HSET', agent, 'active', 0)
      end
      -- enqueued_at stays: the customer has been waiting all along.
      redis.call('HSET', conv, 'status', 'queued', 'agent', '', 'withdrawn_from', aid,
                 'withdrawn_at', now)
      -- Overflow marks an offer; queued again, the next offer decides afresh.
      redis.call('HDEL', conv, 'overflowed', 'overflowed_at')
      redis.call('ZADD', prefix .. 'queue', c[3], cid)
      withdrawn[#withdrawn + 1] = cid
      withdrawn[#withdrawn + 1] = aid
      withdrawn[#withdrawn + 1] = now - offered_at
      missed = true
    end
  end
  if missed then
    redis.call('HSET', agent, 'presence', 'away', 'presence_since', now)
    redis.call('SREM', prefix .. 'agents:online', aid)
  end
end
return withdrawn

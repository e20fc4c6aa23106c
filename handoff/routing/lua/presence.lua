-- Set an agent's presence. 'online' joins routing with the agent's profile; 'away' keeps
-- their chats but takes no new ones; 'offline' also puts their chats back in the queue,
-- each at its original place. ARGV: prefix, agent id, presence, now (ms), then for
-- 'online' field/value pairs of the profile. Returns the re-queued conversations, each
-- followed by the status it had ('assigned' = offered, 'active' = accepted).
local prefix, aid, presence, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local agent = prefix .. 'agent:' .. aid
local chats = agent .. ':chats'
local online = prefix .. 'agents:online'
-- On shift: online or away (on a break, back soon); only offline agents are off shift.
if presence == 'offline' then
  redis.call('SREM', prefix .. 'agents:on_shift', aid)
else
  redis.call('SADD', prefix .. 'agents:on_shift', aid)
end
redis.call('HSET', agent, 'presence', presence, 'presence_since', now)
-- Set by the agent: no longer a shift ended by a lost console (end_shifts.lua).
redis.call('HDEL', agent, 'disconnected_at')
redis.call('ZREM', prefix .. 'agents:disconnected', aid)
if presence == 'online' then
  for i = 5, #ARGV, 2 do redis.call('HSET', agent, ARGV[i], ARGV[i + 1]) end
  if redis.call('HEXISTS', agent, 'idle_since') == 0 then
    redis.call('HSET', agent, 'idle_since', now)
  end
  redis.call('HSET', agent, 'active', redis.call('SCARD', chats))
  redis.call('SADD', online, aid)
  return {}
end
redis.call('SREM', online, aid)
local requeued = {}
if presence ~= 'offline' then return requeued end
for _, cid in ipairs(redis.call('SMEMBERS', chats)) do
  local conv = prefix .. 'conv:' .. cid
  local c = redis.call('HMGET', conv, 'status', 'agent', 'score')
  if c[2] == aid and (c[1] == 'assigned' or c[1] == 'active') then
    -- enqueued_at stays: the customer's wait (and its overflow clock) goes on, as after a
    -- withdrawn offer or a return from a lost console.
    redis.call('HSET', conv, 'status', 'queued', 'agent', '', 'requeued_from', aid)
    redis.call('ZADD', prefix .. 'queue', c[3], cid)
    requeued[#requeued + 1] = cid
    requeued[#requeued + 1] = c[1]
  end
end
redis.call('DEL', chats)
redis.call('HSET', agent, 'active', 0)
return requeued

-- Shared by enqueue.lua and join.lua (prepended by scripts.py): a customer has at most one
-- open handoff, and their conversations on other channels join it.
local function is_open(status)
  return status == 'queued' or status == 'assigned' or status == 'active'
end
-- The conversation holding the customer's open handoff, and its status; nil if none.
local function open_handoff_of(prefix, customer)
  if customer == '' then return nil end
  local home = redis.call('GET', prefix .. 'customer:' .. customer)
  if not home then return nil end
  local status = redis.call('HGET', prefix .. 'conv:' .. home, 'status')
  if is_open(status) then return home, status end
  return nil
end
-- `sender` (the customer on another channel) joins `home`'s handoff. Joined quietly
-- ('1': kefu joined it for the customer, who has not written there yet) it waits; otherwise
-- the agent's replies go there, where the customer last wrote.
local function join_sender(prefix, home, sender, joined_at, channel, quiet)
  local alias = prefix .. 'alias:' .. sender
  local before = redis.call('HGET', alias, 'conversation')
  -- Already with this handoff: a quiet join changes nothing.
  if quiet == '1' and before == home then return end
  if before and before ~= home then redis.call('SREM', prefix .. 'joined:' .. before, sender) end
  redis.call('HSET', alias, 'conversation', home, 'joined_at', joined_at, 'channel', channel)
  redis.call('SADD', prefix .. 'joined:' .. home, sender)
  if quiet == '1' then
    redis.call('HSET', alias, 'quiet', '1')
  else
    redis.call('HDEL', alias, 'quiet')
    redis.call('HSET', prefix .. 'conv:' .. home, 'reply_to', sender, 'reply_channel', channel)
  end
end
